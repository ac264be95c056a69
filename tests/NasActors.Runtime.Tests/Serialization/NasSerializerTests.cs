using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Experiment;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;
using P = NasActors.Runtime.Population.PopulationProtocol;
using C = NasActors.Runtime.Controller.ControllerProtocol;
using K = NasActors.Runtime.Cluster.CoordinatorProtocol;
using NasActors.Core.Strategies;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace NasActors.Runtime.Tests.Serialization;

public sealed class NasSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    // Values that a lossy number format would change: shortest round-trip, subnormal, extremes, negative zero, NaN.
    private const double Tricky = 0.1 + 0.2;
    private static readonly Metrics M1 = new(Tricky, Math.PI, long.MaxValue, 1_234_567, 1.0 / 3);
    private static readonly Metrics M2 = new(double.Epsilon, double.NaN, 0, 0, -0.0);
    private static readonly Metrics M3 = new(1 - 1e-16, double.MaxValue, 42, 7, 1e-310);

    private static readonly Architecture A1 = new([
        KeyValuePair.Create("width", "32"), KeyValuePair.Create("normal/op_2_0", "sep_conv_3x3"),
        KeyValuePair.Create("reduce/input_3_1", "0,2"), KeyValuePair.Create("ünï \"quoted\"", "\\back\\slash")]);
    private static readonly Architecture A2 = Spaces.Arch("a", "c", "b", "a");

    private static readonly Rollout R1 = new(new RolloutId(7), A1, 2, "gen 2 mutation of r3");
    private static readonly Rollout R2 = new(new RolloutId(int.MaxValue), A2, 0, "gen 0 random");
    private static readonly ImmutableArray<ScoredRollout> Top = [new(R1, M1), new(R2, M2), new(R2 with { Id = new RolloutId(0) }, M3)];
    private static readonly RngState Rng = new(ulong.MaxValue, 0, 0x8000_0000_0000_0001UL, 12345);
    private static readonly SupernetSlice Slice = new(3, 1, 2, "0123456789abcdef", 150, 50);
    private static readonly E.StatusResult Status =
        new("exp-1", E.Phase.Controller, 12, 12, 384_000, "ck", Top, M2, 2, 1, 4, 2, "policy", new E.RetrainCompleted(new RolloutId(7), 10, M2));

    /// <summary>A representative instance of every registered type, non-empty collections included (see <see cref="Samples"/>).</summary>
    private static readonly IReadOnlyList<object> PlainSamples =
    [
        new E.Started("exp-1", "00ff00ff00ff00ff", -5, 2, 12, 600, "f00d", 4, 3000),
        new E.PolicyAdopted(3, "0123456789abcdef"),
        new E.RetrainCompleted(new RolloutId(7), 3000, M1),
        new E.RetrainRollout(R1, long.MaxValue),
        new E.RolloutRetrained("retrain/r7", new RolloutId(7), M3),
        new E.SliceCompleted(3, 1, "ckpt", Tricky, 1.0 / 3, 3200, 12.5),
        new E.RoundCompleted(4, "abcdef0123456789"),
        new E.SearchCompleted(Top),
        new E.TestCompleted(new RolloutId(7), M1),
        new ExperimentState(new E.Started("exp-1", "hash", 1, 2, 3, 4), 3, "ck",
            ImmutableSortedDictionary.CreateRange(new[]
            {
                KeyValuePair.Create(10, new E.SliceCompleted(2, 10, "c10", double.NaN, 0.5, 1, 0.1)),
                KeyValuePair.Create(2, new E.SliceCompleted(2, 2, "c2", Tricky, 0.25, 2, 0.2)),
            }), 99_999_999_999L, Top, new E.TestCompleted(new RolloutId(7), M3), "policy", 2, new E.RetrainCompleted(new RolloutId(7), 10, M2)),
        new P.GenerationProposed(5, [R1, R2], Rng),
        new P.ScoreRecorded(new RolloutId(7), M1),
        new P.Snapshot(3, Rng, 17, [R1, R2], Top, [Top[0]], ["a=b;c=d", "x=y"], true),
        E.GetStatus.Instance,
        Status,
        new E.TrainSlice(Slice with { Policy = "policy-ck" }),
        new E.MergeSlices(3, ["c0", "c1", "c2"]),
        new E.ScoreRollout(R1, "ck", EvalSplit.Validation, 12_345_678_901L),
        new E.SliceTrained("slice/3/1", Slice with { FromCheckpoint = null }, new SliceResult("ck", Tricky, 0.75, 1600, 3.25)),
        new E.SlicesMerged("merge/3", 3, "ck"),
        new E.RolloutScored("score/r7", new RolloutId(7), EvalSplit.Validation, M1),
        new E.WorkFailed("score/r7", "cuda:1", "checkpoint ck is corrupt; \"restore\" it", true),
        new E.TrainerProgressed("cpu", new TrainProgress(3, 1, 170, 640, Tricky, 1.5)),
        P.GetRollouts.Instance,
        new P.RecordScore(new RolloutId(7), M2),
        new P.GetRanking(5),
        new P.RolloutsResult(2, [R1, R2], false, Top, 9),
        new P.ScoreRecordedResult(new RolloutId(7), true, true, false, 2, 9, Top[0]),
        new P.RankingResult("spos-evolution", 3, 12, true, Top),
        C.GetPolicy.Instance,
        new C.GetSamples(3),
        new C.PolicyResult("policy", long.MaxValue),
        new C.SamplesResult(2, 61, [R1, R2], false, "policy", Tricky, new ReinforceStats(Tricky, -1.5, 9.75, double.NaN)),
        new C.ControllerFailed("policy checkpoint p is corrupt", true),
        new C.PolicyInitialized("policy"),
        new C.BatchSampled(60, [R1, R2], Rng, true),
        new C.RewardRecorded(new RolloutId(7), M3),
        new C.PolicyUpdated(61, "policy2", 1.0 / 3, new ReinforceStats(0.5, Tricky, 1e-300, 5)),
        new C.Snapshot("policy", 61, null, Rng, 99, [R1, R2], [Top[0]], true, new ReinforceStats(0.5, 0.25, 2, 3)),
        E.RegisterAgain.Instance,
        new E.RegistrationRefused("protocol version 2, this coordinator speaks 1; \"upgrade\" ünï"),
        new E.ResultAcknowledged("slice/3/1"),
        // cluster coordinator: commands, replies, published messages and journal events
        new K.SubmitExperiment("exp-1", "nas {\n  train { total-steps = 8 }\n}\n# ünï \"quoted\"", int.MaxValue),
        new K.SubmitResult("exp-1", false, "the cluster is running experiment 'other'", false),
        new K.GetExperiment("exp-1"),
        new K.ExperimentResult("exp-1", true, true, Status, new P.RankingResult("spos-evolution", 3, 12, true, Top), "failed: \"why\"", true),
        new K.ExperimentAnnounced("exp-1", "nas.train.total-steps = 8", "00ff00ff00ff00ff", 1, "0123456789ab"),
        new K.ExperimentProgressed("exp-1", "round 3/12  loss 0.25  ünï"),
        new K.ExperimentSubmitted("exp-1", "nas.train.total-steps = 8\n"),
        new K.ExperimentEnded("exp-2", new K.ExperimentResult("exp-2", true, true, null, null, null, false)),
    ];

    /// <summary>
    /// <see cref="PlainSamples"/> and the messages that carry actor refs: a ref only means something in an ActorSystem,
    /// so these use this test's own (TestActor, and a ref from ActorOf); a ref must come back equal to the one sent.
    /// </summary>
    private IReadOnlyList<object> Samples =>
    [
        .. PlainSamples,
        new E.RegisterTrainer(TestActor, "cuda:1", "00ff00ff00ff00ff", 7, "slice/3/1"),
        new E.RequestWork(_child),
    ];

    private readonly IActorRef _child;

    public NasSerializerTests() : base(AkkaConfig.Quiet.WithFallback(AkkaConfig.Serialization), "ser") =>
        _child = Sys.ActorOf(Props.Empty, "child");

    public static IEnumerable<object[]> Manifests() => NasManifests.All.Keys.Order(StringComparer.Ordinal).Select(m => new object[] { m });

    private object SampleFor(string manifest) => Samples.Single(s => s.GetType() == NasManifests.All[manifest]);

    [Fact]
    public void NasManifests_must_have_a_sample_here_for_every_registered_type()
    {
        Assert.Equal(NasManifests.All.Values.Select(t => t.FullName).Order(StringComparer.Ordinal),
            Samples.Select(s => s.GetType().FullName).Order(StringComparer.Ordinal));
        Assert.Equal(NasManifests.All.Count, NasManifests.All.Values.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void NasSerializer_must_round_trip_every_manifest_exactly(string manifest)
    {
        var sample = SampleFor(manifest);
        var serializer = Sys.Serialization.FindSerializerFor(sample);
        var nas = Assert.IsType<NasSerializer>(serializer);
        Assert.Equal(NasSerializer.Id, nas.Identifier);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, sample));

        var bytes = serializer.ToBinary(sample);
        var back = Sys.Serialization.Deserialize(bytes, NasSerializer.Id, manifest);

        Deep.Equal(sample, back);
        // Stable names only: no CLR type names in the payload, so renaming a class cannot break replay.
        Assert.DoesNotContain("NasActors", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void NasSerializer_must_keep_architecture_keys_and_immutable_collection_contents()
    {
        var s = (ExperimentState)Samples.OfType<ExperimentState>().Single();
        var ser = Sys.Serialization.FindSerializerFor(s);
        var back = (ExperimentState)Sys.Serialization.Deserialize(ser.ToBinary(s), NasSerializer.Id, "nas.experiment.snapshot.v1");

        Assert.Equal([2, 10], back.RoundSlices.Keys);
        Assert.Equal("c10", back.RoundSlices[10].Checkpoint);
        Assert.True(double.IsNaN(back.RoundSlices[10].Loss));
        var arch = back.Top!.Value[0].Rollout.Architecture;
        Assert.Equal(A1, arch);
        Assert.Equal(A1.Hash, arch.Hash);
        Assert.Equal("0,2", arch["reduce/input_3_1"]);
        Assert.Equal(new RolloutId(7), back.Top.Value[0].Rollout.Id);
        Assert.Equal(0.30000000000000004, back.Top.Value[0].Metrics.Accuracy);
        Assert.Equal(3, back.RoundsDone);
        Assert.Equal(E.Phase.Finished, back.Phase);
    }

    [Fact]
    public void NasSerializer_must_refuse_an_unregistered_type()
    {
        var msg = new NotRegistered(1);
        var serializer = Sys.Serialization.FindSerializerFor(msg);
        Assert.IsType<NasSerializer>(serializer); // bound through INasSerializable ...
        var e = Assert.Throws<SerializationException>(() => serializer.ToBinary(msg)); // ... but refused, not guessed
        Assert.Contains(nameof(NotRegistered), e.Message);
        Assert.Throws<SerializationException>(() => ((SerializerWithStringManifest)serializer).Manifest(msg));
    }

    [Fact]
    public void NasSerializer_must_throw_on_an_unknown_manifest()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(P.GetRollouts.Instance);
        var bytes = serializer.ToBinary(new P.ScoreRecorded(new RolloutId(1), M1));
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "nas.population.score-recorded.v99"));
        Assert.Contains("nas.population.score-recorded.v99", e.Message);
    }

    [Fact]
    public void NasSerializer_must_skip_fields_added_by_a_later_version()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(P.GetRollouts.Instance);
        var json = """{"Id":3,"Metrics":{"Accuracy":0.5,"Loss":0.25,"Flops":10,"Params":2,"LatencyMs":0,"Energy":9},"Worker":"node-2"}""";
        var back = Assert.IsType<P.ScoreRecorded>(serializer.FromBinary(Encoding.UTF8.GetBytes(json), "nas.population.score-recorded.v1"));
        Assert.Equal(new P.ScoreRecorded(new RolloutId(3), new Metrics(0.5, 0.25, 10, 2)), back);
    }

    [Fact]
    public void NasSerializer_must_write_an_actor_ref_as_its_path_and_resolve_it_to_an_equal_ref()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new E.RequestWork(_child));
        var bytes = serializer.ToBinary(new E.RequestWork(_child));
        var json = Encoding.UTF8.GetString(bytes);
        Assert.Equal($"{{\"Trainer\":\"{_child.Path.ToStringWithUid()}\"}}", json); // with the uid: a restarted actor is a different ref
        var back = Assert.IsType<E.RequestWork>(serializer.FromBinary(bytes, "nas.experiment.request-work.v1"));
        Assert.Equal(_child, back.Trainer);
        Assert.Equal(_child.Path.Uid, back.Trainer.Path.Uid);

        // A reply through the resolved ref reaches the original actor.
        var reg = Assert.IsType<E.RegisterTrainer>(serializer.FromBinary(serializer.ToBinary(new E.RegisterTrainer(TestActor, "cpu")), "nas.experiment.register-trainer.v1"));
        reg.Trainer.Tell("hello");
        ExpectMsg("hello");
    }

    [Fact]
    public void NasSerializer_must_keep_null_and_Nobody_refs()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new E.RequestWork(_child));
        var nullBytes = serializer.ToBinary(new E.RequestWork(null!));
        Assert.Equal("""{"Trainer":null}""", Encoding.UTF8.GetString(nullBytes));
        Assert.Null(Assert.IsType<E.RequestWork>(serializer.FromBinary(nullBytes, "nas.experiment.request-work.v1")).Trainer);

        var nobody = serializer.FromBinary(serializer.ToBinary(new E.RegisterTrainer(ActorRefs.Nobody, "cpu")), "nas.experiment.register-trainer.v1");
        Assert.Same(ActorRefs.Nobody, Assert.IsType<E.RegisterTrainer>(nobody).Trainer);
    }

    [Fact]
    public void NasJson_without_a_system_must_refuse_an_actor_ref()
    {
        Assert.Throws<NotSupportedException>(() => System.Text.Json.JsonSerializer.Serialize(new E.RequestWork(_child), NasJson.Options));
    }

    [Fact]
    public void NasSerializer_must_have_no_size_limit_without_remoting()
    {
        Assert.Null(NasSerializer.PayloadLimit(Sys.Settings.Config));
        var big = new E.WorkFailed("k", "cpu", new string('x', 1_000_000), false);
        Assert.True(Sys.Serialization.FindSerializerFor(big).ToBinary(big).Length > 1_000_000);
    }

    [Fact]
    public void NasSerializer_must_refuse_a_message_larger_than_the_remoting_frame_size()
    {
        var config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.maximum-frame-size = 64000b")
            .WithFallback(AkkaConfig.Quiet).WithFallback(AkkaConfig.Serialization);
        var small = ActorSystem.Create("small-frame", config);
        try
        {
            Assert.Equal((64_000L, 64_000L - NasSerializer.FrameMargin), NasSerializer.PayloadLimit(small.Settings.Config));
            var limit = 64_000 - NasSerializer.FrameMargin;
            var overhead = JsonLength(small, new E.WorkFailed("k", "cpu", "", false));
            var fits = new E.WorkFailed("k", "cpu", new string('x', limit - overhead), false);
            var over = fits with { Reason = fits.Reason + "x" };

            Assert.Equal(limit, JsonLength(small, fits));
            var serializer = small.Serialization.FindSerializerFor(over);
            var e = Assert.Throws<SerializationException>(() => serializer.ToBinary(over));
            Assert.Contains(typeof(E.WorkFailed).FullName!, e.Message);
            Assert.Contains("nas.experiment.work-failed.v1", e.Message);
            Assert.Contains($"{limit + 1} bytes", e.Message);
            Assert.Contains($"{limit}-byte limit", e.Message);
            Assert.Contains("64000", e.Message);

            // Journal events and snapshots are written to the store, never sent: no frame limit for them.
            var snapshot = new P.Snapshot(3, Rng, 17, [R1 with { Origin = new string('o', 200_000) }], Top, [], [], false);
            Assert.True(small.Serialization.FindSerializerFor(snapshot).ToBinary(snapshot).Length > 200_000);
        }
        finally
        {
            Shutdown(small, TimeSpan.FromSeconds(10));
        }
    }

    private static int JsonLength(ActorSystem system, object o) => system.Serialization.FindSerializerFor(o).ToBinary(o).Length;

    private sealed record NotRegistered(int X) : INasSerializable;
}
