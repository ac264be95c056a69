using System.Buffers.Binary;
using System.Text;

namespace NasActors.Cli.Tests.Observability;

/// <summary>
/// Reads TensorBoard event files independently of the writer: TFRecord framing (u64 length, masked CRC32C of the
/// length, data, masked CRC32C of the data, every CRC checked) and the few fields of the Event protobuf a check needs
/// (wall_time 1, step 2, file_version 3, summary 5 → value 1 → tag 1, simple_value 2, histo 5, tensor 8).
/// </summary>
internal static class TfEvents
{
    public sealed record Value(string Tag, float? Simple, bool Histogram, bool Tensor);
    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Value> Values);

    public static List<Event> ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        var at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{path}: truncated record header at {at}");
            var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            var lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8));
            if (Masked(bytes.AsSpan(at, 8)) != lengthCrc) throw new InvalidDataException($"{path}: bad length CRC at {at}");
            at += 12;
            if ((ulong)(bytes.Length - at) < length + 4) throw new InvalidDataException($"{path}: truncated record at {at}");
            var data = bytes.AsSpan(at, (int)length);
            var dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + (int)length));
            if (Masked(data) != dataCrc) throw new InvalidDataException($"{path}: bad data CRC at {at}");
            events.Add(ParseEvent(data));
            at += (int)length + 4;
        }
        return events;
    }

    /// <summary>Every event file under <paramref name="dir"/>, oldest file first (their names start with a timestamp).</summary>
    public static List<(string File, List<Event> Events)> ReadDirectory(string dir) =>
        [.. Directory.GetFiles(dir, "events.out.tfevents.*", SearchOption.AllDirectories)
            .OrderBy(f => long.Parse(Path.GetFileName(f).Split('.')[3]))
            .Select(f => (f, ReadFile(f)))];

    /// <summary>Scalar points by tag of every event file under <paramref name="dir"/>, oldest file first.</summary>
    public static Dictionary<string, List<(long Step, float Value)>> ScalarsIn(string dir) =>
        Scalars(ReadDirectory(dir).SelectMany(f => f.Events));

    /// <summary>Fails if a series' step ever goes back (over several files: across runs or coordinators).</summary>
    public static void AssertStepsNeverGoBack(Dictionary<string, List<(long Step, float Value)>> scalars)
    {
        foreach (var (tag, points) in scalars)
            Xunit.Assert.True(points.Zip(points.Skip(1), (a, b) => b.Step >= a.Step).All(up => up), $"{tag} went back: {string.Join(",", points.Select(p => p.Step))}");
    }

    /// <summary>Scalar points by tag, in file order.</summary>
    public static Dictionary<string, List<(long Step, float Value)>> Scalars(IEnumerable<Event> events)
    {
        var d = new Dictionary<string, List<(long, float)>>(StringComparer.Ordinal);
        foreach (var e in events)
        foreach (var v in e.Values)
            if (v.Simple is { } f)
            {
                if (!d.TryGetValue(v.Tag, out var list)) d[v.Tag] = list = [];
                list.Add((e.Step, f));
            }
        return d;
    }

    private static Event ParseEvent(ReadOnlySpan<byte> data)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        var values = new List<Value>();
        var r = new Reader(data.ToArray());
        while (!r.End)
        {
            var (field, wire) = r.Key();
            switch (field, wire)
            {
                case (1, 1): wall = BitConverter.Int64BitsToDouble((long)r.Fixed64()); break;
                case (2, 0): step = (long)r.Varint(); break;
                case (3, 2): version = Encoding.UTF8.GetString(r.Bytes()); break;
                case (5, 2):
                    var summary = new Reader(r.Bytes());
                    while (!summary.End)
                    {
                        var (sf, sw) = summary.Key();
                        if (sf == 1 && sw == 2) values.Add(ParseValue(summary.Bytes()));
                        else summary.Skip(sw);
                    }
                    break;
                default: r.Skip(wire); break;
            }
        }
        return new Event(wall, step, version, values);
    }

    private static Value ParseValue(byte[] data)
    {
        var r = new Reader(data);
        string tag = "";
        float? simple = null;
        bool histo = false, tensor = false;
        while (!r.End)
        {
            var (f, w) = r.Key();
            switch (f, w)
            {
                case (1, 2): tag = Encoding.UTF8.GetString(r.Bytes()); break;
                case (2, 5): simple = BitConverter.Int32BitsToSingle((int)r.Fixed32()); break;
                case (5, 2): r.Bytes(); histo = true; break;
                case (8, 2): r.Bytes(); tensor = true; break;
                default: r.Skip(w); break;
            }
        }
        return new Value(tag, simple, histo, tensor);
    }

    private sealed class Reader(byte[] b)
    {
        private int _at;
        public bool End => _at >= b.Length;

        public ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var x = b[_at++];
                v |= (ulong)(x & 0x7f) << shift;
                if (x < 0x80) return v;
            }
        }

        public (int Field, int Wire) Key()
        {
            var k = Varint();
            return ((int)(k >> 3), (int)(k & 7));
        }

        public ulong Fixed64() { var v = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(_at)); _at += 8; return v; }
        public uint Fixed32() { var v = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(_at)); _at += 4; return v; }

        public byte[] Bytes()
        {
            var n = (int)Varint();
            var v = b.AsSpan(_at, n).ToArray();
            _at += n;
            return v;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _at += 8; break;
                case 2: Bytes(); break;
                case 5: _at += 4; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }

    // CRC32C (Castagnoli, reflected polynomial 0x82F63B78), masked as TFRecord does: rotate right 15, add 0xa282ead8.
    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var x in data) c = Table[(c ^ x) & 0xff] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        var c = Crc32C(data);
        return ((c >> 15) | (c << 17)) + 0xa282ead8u;
    }
}
