namespace NasActors.Core.OneShot;

/// <summary>
/// Standalone training of one architecture from scratch (nas.retrain; sources of the defaults in reference.conf: the
/// official DARTS train.py and the NNI DARTS tutorial). Part of every retrain work item, so an item is a pure function
/// of its fields.
/// </summary>
/// <param name="Epochs">Passes over the training split; 0 = no retraining.</param>
/// <param name="LearningRate">SGD learning rate of epoch 0, cosine-annealed per epoch to <paramref name="LearningRateMin"/> (CosineAnnealingLR(epochs)).</param>
/// <param name="GradClip">Global gradient-norm clip; 0 = off.</param>
/// <param name="Cutout">Side of the cutout square of training images; 0 = off.</param>
/// <param name="DropPath">Drop-path probability of the last epoch, ramped linearly from 0 (DropPath · epoch / epochs); 0 = off.</param>
/// <param name="AuxiliaryWeight">Weight of the auxiliary head's loss; 0 = no auxiliary head.</param>
/// <param name="Slots">Data-parallel slots: each trains every Slots-th batch of a round from the round's weights, then they are averaged.</param>
/// <param name="Rounds">Rounds per epoch: the epoch's batches in this many consecutive runs, each ending with the slots
/// averaged and a checkpoint journaled (more rounds: closer to one SGD over all slots' batches, and a kill loses less).</param>
/// <param name="CropPadding">Random crop of each training image from it padded by this many pixels (RandomCrop(side, padding)); 0 = off.
/// For data without augmentation of its own (Fashion-MNIST; CIFAR-10's is nas.data.augment).</param>
/// <param name="Flip">Horizontal flip of each training image with probability 1/2, for the same data.</param>
/// <param name="IncludeValidation">Train on the validation split too (every image but the test split's), as DARTS's final
/// training uses the whole training set; the test split stays unseen.</param>
public sealed record RetrainSettings(
    int Epochs,
    int BatchSize,
    double LearningRate,
    double LearningRateMin,
    double Momentum,
    double WeightDecay,
    double GradClip,
    int Cutout,
    double DropPath,
    double AuxiliaryWeight,
    int Slots = 1,
    int Rounds = 1,
    int CropPadding = 0,
    bool Flip = false,
    bool IncludeValidation = false)
{
    public static readonly RetrainSettings Off = new(0, 96, 0.025, 0, 0.9, 3e-4, 5, 0, 0, 0);

    public bool Enabled => Epochs > 0;

    /// <summary>CosineAnnealingLR(epochs, eta_min) as PyTorch (1.1+) steps it once per epoch: the rate of epoch <paramref name="epoch"/>.</summary>
    public double LearningRateAt(int epoch) =>
        LearningRateMin + (LearningRate - LearningRateMin) * (1 + Math.Cos(Math.PI * epoch / Epochs)) / 2;

    /// <summary>The batches [Start, End) of round <paramref name="round"/> of an epoch of <paramref name="batches"/> batches.</summary>
    public (int Start, int End) RoundBatches(int batches, int round) =>
        ((int)((long)batches * round / Rounds), (int)((long)batches * (round + 1) / Rounds));

    /// <summary>The official ramp: drop_path_prob · epoch / epochs.</summary>
    public double DropPathAt(int epoch) => DropPath * epoch / Epochs;
}
