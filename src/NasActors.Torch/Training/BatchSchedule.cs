using NasActors.Core;
using NasActors.Core.Randomness;
using NasActors.Torch.Data;
using static TorchSharp.torch;

namespace NasActors.Torch.Training;

/// <summary>
/// Which training images form global batch b: epoch = b / batchesPerEpoch, the epoch's order is a Fisher-Yates
/// permutation from xoshiro256** seeded with Derive(seed, epoch), and the batch is the (b mod batchesPerEpoch)-th
/// run of BatchSize indices (the last partial batch of an epoch is dropped). A pure function of (seed, b), so a
/// slice computes its batches without knowing what ran before. BN recalibration uses its own fixed permutation.
/// </summary>
internal sealed class BatchSchedule
{
    private readonly ImageDataset _train;

    /// <summary>The images this schedule walks.</summary>
    public ImageDataset Images => _train;
    private readonly int _batchSize;
    private readonly long _seed;
    // Recently used permutations by stream seed: a slice walks one epoch at a time, recalibration reuses one.
    private readonly Dictionary<long, long[]> _cache = new();
    private readonly Queue<long> _order = new();
    private const int CacheSize = 3;

    public BatchSchedule(ImageDataset train, int batchSize, long seed)
    {
        if (train.Count < batchSize)
            throw new NasUserException($"the training split has {train.Count} images, fewer than one batch of {batchSize}: lower the batch size or raise nas.data.train-limit");
        (_train, _batchSize, _seed) = (train, batchSize, seed);
        BatchSize = batchSize;
        BatchesPerEpoch = train.Count / batchSize;
    }

    public int BatchesPerEpoch { get; }
    public int BatchSize { get; }

    /// <summary>Global batch <paramref name="b"/> of supernet training; tensors belong to the caller's dispose scope.</summary>
    public (Tensor X, Tensor Y) TrainBatch(long b) => Batch(Xoshiro256.Derive(_seed, b / BatchesPerEpoch), b % BatchesPerEpoch);

    /// <summary>Batch <paramref name="k"/> of BN recalibration: the same images for every candidate.</summary>
    public (Tensor X, Tensor Y) RecalibrationBatch(long k) =>
        Batch(Xoshiro256.Derive(_seed, StreamTags.Recalibration, k / BatchesPerEpoch), k % BatchesPerEpoch);

    private (Tensor X, Tensor Y) Batch(long streamSeed, long indexInEpoch)
    {
        var perm = Permutation(streamSeed);
        var idx = perm.AsSpan((int)(indexInEpoch * _batchSize), _batchSize).ToArray();
        return _train.Gather(idx);
    }

    private long[] Permutation(long streamSeed)
    {
        if (_cache.TryGetValue(streamSeed, out var cached)) return cached;
        var perm = new long[_train.Count];
        for (var i = 0; i < perm.Length; i++) perm[i] = i;
        var rng = Xoshiro256.FromSeed(streamSeed);
        for (var i = perm.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        _cache[streamSeed] = perm;
        _order.Enqueue(streamSeed);
        if (_order.Count > CacheSize) _cache.Remove(_order.Dequeue());
        return perm;
    }
}
