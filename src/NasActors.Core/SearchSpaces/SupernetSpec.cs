using System.Collections.Immutable;

namespace NasActors.Core.SearchSpaces;

/// <summary>
/// Shape of a SPOS supernet for small grayscale images: a 3x3 stem, then stages of choice blocks; the first block
/// of every stage halves the resolution and changes the width.
/// </summary>
public sealed record SupernetSpec(int StemChannels, ImmutableArray<int> StageChannels, ImmutableArray<int> StageDepths, ImmutableArray<string> Candidates)
{
    public void Validate()
    {
        if (StageChannels.IsDefault || StageDepths.IsDefault || Candidates.IsDefault)
            throw new NasUserException("nas.spaces.spos-shufflenet.stage-channels, stage-depths and candidates must all be set");
        if (StemChannels < 2 || StemChannels % 2 != 0)
            throw new NasUserException($"nas.spaces.spos-shufflenet.stem-channels = {StemChannels} must be an even number >= 2");
        if (StageChannels.IsDefaultOrEmpty || StageChannels.Length != StageDepths.Length)
            throw new NasUserException($"nas.spaces.spos-shufflenet.stage-channels ({StageChannels.Length} entries) and stage-depths ({StageDepths.Length}) must be non-empty and the same length");
        foreach (var c in StageChannels)
            if (c < 4 || c % 4 != 0)
                throw new NasUserException($"nas.spaces.spos-shufflenet.stage-channels entry {c} must be a multiple of 4 (ShuffleNet blocks split channels in half twice)");
        foreach (var d in StageDepths)
            if (d < 1) throw new NasUserException($"nas.spaces.spos-shufflenet.stage-depths entry {d} must be at least 1");
        if (StageDepths.Length > 4)
            throw new NasUserException($"nas.spaces.spos-shufflenet has {StageDepths.Length} stages; 28x28 images allow at most 4 (each stage halves the resolution)");
        foreach (var c in Candidates.GroupBy(c => c).Where(g => g.Count() > 1))
            throw new NasUserException($"nas.spaces.spos-shufflenet.candidates lists '{c.Key}' twice; list each op once");
        foreach (var c in Candidates)
            if (!SposSpace.PaperCandidates.Contains(c))
                throw new NasUserException($"nas.spaces.spos-shufflenet.candidates has unknown op '{c}'; known: {string.Join(", ", SposSpace.PaperCandidates)}");
        if (Candidates.IsDefaultOrEmpty)
            throw new NasUserException("nas.spaces.spos-shufflenet.candidates is empty; list at least one of " + string.Join(", ", SposSpace.PaperCandidates));
    }
}
