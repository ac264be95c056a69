using System.Text;
using Akka.Serialization;
using NasActors.Core.Experiments;
using NasActors.Core.Strategies.Population;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace NasActors.Runtime.Tests.Serialization;

/// <summary>Journal events carry a checksum line, verified on replay; messages between nodes stay plain JSON.</summary>
public sealed class JournalChecksumTests() : Akka.TestKit.Xunit2.TestKit(AkkaConfig.Quiet.WithFallback(AkkaConfig.Serialization), "checksum")
{
    private const string Manifest = "nas.event.score-recorded.v2";
    private static readonly ScoreRecorded Event = new(new RolloutId(3), new Metrics(0.8125, 0.25, 10, 2));

    private SerializerWithStringManifest Serializer => (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(Event);

    [Fact]
    public void NasSerializer_must_seal_a_journal_event_with_a_readable_checksum_line_and_read_it_back()
    {
        var bytes = Serializer.ToBinary(Event);
        var text = Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches("^#nas-sha256 [0-9a-f]{16}$", lines[0]);
        Assert.StartsWith("{\"Id\":3,", lines[1]);
        Assert.Equal(Event, Serializer.FromBinary(bytes, Manifest));
    }

    [Fact]
    public void NasSerializer_must_refuse_a_journal_event_whose_payload_changed_by_one_digit()
    {
        var text = Encoding.UTF8.GetString(Serializer.ToBinary(Event));
        var changed = Encoding.UTF8.GetBytes(text.Replace("0.8125", "0.9125"));
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(changed, Manifest));
        Assert.Contains("fails its checksum", e.Message);
        Assert.Contains(Manifest, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void NasSerializer_must_refuse_a_journal_event_read_under_another_manifest()
    {
        // the checksum covers the manifest: a payload moved to another kind of event fails, even when its JSON would fit
        var bytes = Serializer.ToBinary(Event);
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "nas.event.reward-recorded.v2"));
        Assert.Contains("fails its checksum", e.Message);
    }

    [Fact]
    public void NasSerializer_must_refuse_a_journal_event_without_its_checksum_line()
    {
        var json = """{"Id":3,"Metrics":{"Accuracy":0.8125,"Loss":0.25,"Flops":10,"Params":2,"LatencyMs":0}}""";
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Encoding.UTF8.GetBytes(json), Manifest));
        Assert.Contains("no checksum line", e.Message);
        var malformed = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Encoding.UTF8.GetBytes("#nas-sha256 12\n" + json), Manifest));
        Assert.Contains("malformed", malformed.Message);
    }

    [Fact]
    public void NasSerializer_must_keep_messages_plain_json()
    {
        var msg = new E.RegisterTrainer(TestActor, "cpu");
        var ser = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(msg);
        var bytes = ser.ToBinary(msg);
        Assert.Equal((byte)'{', bytes[0]);
        Assert.IsType<E.RegisterTrainer>(ser.FromBinary(bytes, "nas.experiment.register-trainer.v1"));
        Assert.Equal("{}", Encoding.UTF8.GetString(ser.ToBinary(E.GetStatus.Instance)));
    }

    [Fact]
    public void JournalChecksum_must_cover_every_byte_of_the_json()
    {
        var json = Encoding.UTF8.GetBytes("""{"Id":3,"Metrics":{"Accuracy":0.8125}}""");
        var sealedBytes = JournalChecksum.Seal(Manifest, json);
        var header = sealedBytes.Length - json.Length;
        for (var i = header; i < sealedBytes.Length; i++)
        {
            var copy = (byte[])sealedBytes.Clone();
            copy[i] ^= 0x01;
            JournalChecksum.Open(Manifest, copy, out var error);
            Assert.NotNull(error);
        }
        Assert.Equal(json, JournalChecksum.Open(Manifest, sealedBytes, out var none).ToArray());
        Assert.Null(none);
    }

    [Fact]
    public void AkkaConfig_must_fail_replay_on_inconsistent_events_instead_of_dropping_them()
    {
        var dir = new TempStore();
        try
        {
            foreach (var config in new[] { AkkaConfig.Sqlite(dir.JournalPath, dir.SnapshotPath), AkkaConfig.Postgres("Host=localhost;Username=u;Password=p;Database=d") })
                Assert.Equal("fail", config.GetString("akka.persistence.journal.sql.replay-filter.mode"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Dispose();
        }
    }
}
