using NasActors.Core;

namespace NasActors.Torch.Ops;

/// <summary>Builds a SPOS candidate block by its name in the search space.</summary>
internal static class CandidateOps
{
    public static ShuffleNetV2Block Create(string name, int inChannels, int outChannels, int stride) => name switch
    {
        "shuffle_3x3" => ShuffleNetV2Block.Shuffle(inChannels, outChannels, 3, stride),
        "shuffle_5x5" => ShuffleNetV2Block.Shuffle(inChannels, outChannels, 5, stride),
        "shuffle_7x7" => ShuffleNetV2Block.Shuffle(inChannels, outChannels, 7, stride),
        "xception_3x3" => ShuffleNetV2Block.Xception(inChannels, outChannels, stride),
        _ => throw new NasUserException($"unknown SPOS candidate op '{name}': use shuffle_3x3, shuffle_5x5, shuffle_7x7 or xception_3x3 in nas.spaces.spos-shufflenet.candidates"),
    };
}
