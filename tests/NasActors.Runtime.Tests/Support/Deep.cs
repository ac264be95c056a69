using System.Collections;
using System.Reflection;
using Akka.Actor;
using Xunit.Sdk;

namespace NasActors.Runtime.Tests.Support;

/// <summary>
/// Structural equality for round-trip checks. Records holding ImmutableArray compare their arrays by reference, so
/// record equality cannot tell a faithful copy from a different one; this walks public properties and sequences
/// instead, and compares doubles bit for bit.
/// </summary>
public static class Deep
{
    public static void Equal(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null) throw Fail(path, expected, actual);
            return;
        }
        var type = expected.GetType();
        if (type != actual.GetType()) throw new XunitException($"{path}: type {type} expected, got {actual.GetType()}");
        switch (expected)
        {
            case double d:
                if (BitConverter.DoubleToInt64Bits(d) != BitConverter.DoubleToInt64Bits((double)actual)) throw Fail(path, expected, actual);
                return;
            case float f:
                if (BitConverter.SingleToInt32Bits(f) != BitConverter.SingleToInt32Bits((float)actual)) throw Fail(path, expected, actual);
                return;
            case string or decimal or Enum or IActorRef or TimeSpan or DateTime:
                if (!expected.Equals(actual)) throw Fail(path, expected, actual);
                return;
            case IEnumerable e:
                var xs = e.Cast<object?>().ToList();
                var ys = ((IEnumerable)actual).Cast<object?>().ToList();
                if (xs.Count != ys.Count) throw new XunitException($"{path}: {xs.Count} elements expected, got {ys.Count}");
                for (var i = 0; i < xs.Count; i++) Equal(xs[i], ys[i], $"{path}[{i}]");
                return;
        }
        if (type.IsPrimitive)
        {
            if (!expected.Equals(actual)) throw Fail(path, expected, actual);
            return;
        }
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();
        foreach (var p in props) Equal(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
        if (props.Count == 0 && !expected.Equals(actual)) throw Fail(path, expected, actual);
    }

    private static XunitException Fail(string path, object? e, object? a) => new($"{path}: expected {Show(e)}, got {Show(a)}");

    private static string Show(object? o) => o switch
    {
        null => "null",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => o.ToString() ?? "",
    };
}
