namespace NasActors.Core.Experiments;

/// <summary>Identity of a rollout within one experiment: a sequence number assigned by the proposer.</summary>
public readonly record struct RolloutId(int Value) : IComparable<RolloutId>
{
    public int CompareTo(RolloutId other) => Value.CompareTo(other.Value);
    public override string ToString() => "r" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
