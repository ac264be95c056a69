using System.Collections.Immutable;

namespace NasActors.Core.Progress;

/// <summary>A distribution at one step, e.g. the validation accuracies of one generation.</summary>
public sealed record HistogramPoint(string Tag, long Step, ImmutableArray<double> Values);
