using System.Security.Cryptography;
using System.Text;
using NasActors.Core;

namespace NasActors.Torch.Training;

/// <summary>
/// Content-addressed checkpoint files: "&lt;sha256 hex&gt;.ckpt" in one directory. A name is the hash of the bytes, so
/// equal states share one file, a file is never rewritten, and a load verifies it was not damaged.
/// Format (little-endian): magic "NASCKPT1", u32 version, u32 count, then per tensor (sorted by name, ordinal):
/// u16 name length + UTF-8 name, u8 dtype, u8 rank, i64 dims[rank], raw element bytes. Thread-safe.
/// </summary>
internal sealed class CheckpointStore
{
    private static readonly byte[] Magic = "NASCKPT1"u8.ToArray();
    private const uint Version = 1;
    public const string Extension = ".ckpt";

    public string Directory { get; }

    public CheckpointStore(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new NasUserException("checkpoint directory is empty: set the experiment store directory");
        Directory = Path.GetFullPath(directory);
    }

    public string PathOf(string hash) => Path.Combine(Directory, hash + Extension);

    /// <summary>Writes atomically (temp file in the same directory, fsync, rename); returns the SHA-256 hex of the bytes.</summary>
    public string Write(IEnumerable<CheckpointTensor> tensors)
    {
        var bytes = Serialize(tensors);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = PathOf(hash);
        if (File.Exists(path)) return hash;
        System.IO.Directory.CreateDirectory(Directory);
        var temp = Path.Combine(Directory, $".{hash}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temp, path, overwrite: false);
                Core.IO.Durable.SyncDirectory(Directory);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer stored the same content first: same name means same bytes.
            }
        }
        catch (IOException e) when (Core.IO.DiskSpace.IsFull(e))
        {
            // One line the command turns into how to continue; the temp file goes below, nothing half-written stays.
            throw Core.IO.DiskSpace.Full(Directory, e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return hash;
    }

    public bool Contains(string hash) => IsHash(hash) && File.Exists(PathOf(hash));

    public IReadOnlyList<CheckpointTensor> Load(string hash)
    {
        if (!IsHash(hash))
            throw new NasUserException($"'{hash}' is not a checkpoint hash (64 lowercase hex digits): the experiment journal is damaged or from another tool");
        var path = PathOf(hash);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NasUserException($"checkpoint {hash} is missing from {Directory}: restore the experiment's checkpoint directory, or delete the experiment and start it again");
        }
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != hash)
            throw Corrupt(hash, "SHA-256 mismatch");
        try
        {
            return Deserialize(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw Corrupt(hash, e.Message);
        }
    }

    private NasUserException Corrupt(string hash, string why) =>
        new($"checkpoint {hash} in {Directory} is corrupt ({why}): restore it from a backup of the experiment store, or start the experiment again");

    private static bool IsHash(string s) =>
        s is { Length: 64 } && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    internal static byte[] Serialize(IEnumerable<CheckpointTensor> tensors)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoints are written on little-endian hosts only");
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write((uint)sorted.Count);
        string? previous = null;
        foreach (var t in sorted)
        {
            if (previous == t.Name) throw new ArgumentException($"checkpoint tensor '{t.Name}' appears twice");
            previous = t.Name;
            if (t.Data.LongLength != t.Elements * CheckpointTensor.ElementSize(t.DType))
                throw new ArgumentException($"checkpoint tensor '{t.Name}' has {t.Data.Length} bytes for shape [{string.Join(",", t.Shape)}] {t.DType}");
            var name = Encoding.UTF8.GetBytes(t.Name);
            w.Write(checked((ushort)name.Length));
            w.Write(name);
            w.Write((byte)t.DType);
            w.Write(checked((byte)t.Shape.Length));
            foreach (var d in t.Shape) w.Write(d);
            w.Write(t.Data);
        }
        w.Flush();
        return ms.ToArray();
    }

    internal static IReadOnlyList<CheckpointTensor> Deserialize(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a NasActors checkpoint");
        var version = r.ReadUInt32();
        if (version != Version) throw new InvalidDataException($"format version {version}, this build reads {Version}");
        var count = r.ReadUInt32();
        var list = new List<CheckpointTensor>((int)Math.Min(count, 100_000));
        for (var i = 0u; i < count; i++)
        {
            var name = Encoding.UTF8.GetString(ReadExactly(r, r.ReadUInt16()));
            var dtype = (CheckpointDType)r.ReadByte();
            if (!Enum.IsDefined(dtype)) throw new InvalidDataException($"tensor '{name}' has unknown dtype {(byte)dtype}");
            var rank = r.ReadByte();
            var shape = new long[rank];
            for (var d = 0; d < rank; d++)
            {
                shape[d] = r.ReadInt64();
                if (shape[d] < 0) throw new InvalidDataException($"tensor '{name}' has a negative dimension");
            }
            var size = shape.Aggregate(1L, (a, b) => a * b) * CheckpointTensor.ElementSize(dtype);
            if (size > bytes.Length) throw new InvalidDataException($"tensor '{name}' is larger than the file");
            list.Add(new CheckpointTensor(name, dtype, shape, ReadExactly(r, (int)size)));
        }
        if (r.BaseStream.Position != bytes.Length) throw new InvalidDataException("trailing bytes after the last tensor");
        return list;
    }

    private static byte[] ReadExactly(BinaryReader r, int n)
    {
        var b = r.ReadBytes(n);
        if (b.Length != n) throw new EndOfStreamException("file ends inside a tensor");
        return b;
    }
}
