using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Strategies.Population;
using NasActors.Core.Training;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;
using K = NasActors.Runtime.Cluster.CoordinatorProtocol;
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
    private static readonly SearchSpace Space = SearchSpace.Create("mixed", [Choice.Layer("block0", "a", "b"), Choice.Input("input_1", 3, 2), Choice.Value("width", "16", "32")]);
    private static readonly PlanStatus Plan = new("spos-evolution", "retrain", false, Top, 12, "ck", new TestResult(new RolloutId(7), M2),
        new RetrainResult(new RolloutId(7), 10, M3, "w"), [new PlanCounter("round", 3, 12), new PlanCounter("generation", 2, long.MaxValue)],
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new[]
        {
            KeyValuePair.Create("baseline", Tricky), KeyValuePair.Create("best_accuracy", 1e-310),
            KeyValuePair.Create("images_trained", 384_000.0), KeyValuePair.Create("train_loss", double.NaN),
        }));
    private static readonly E.StatusResult Status = new("exp-1", Plan, 2, 1);
    private static readonly E.TrainerProgressed Progress = new("cpu", new TrainProgress(3, 1, 170, 640, Tricky, 1.5));

    /// <summary>A representative instance of every registered type, non-empty collections included (see <see cref="Samples"/>).</summary>
    private static readonly IReadOnlyList<object> PlainSamples =
    [
        // the runtime's journal events
        new E.Started(E.Format, "exp-1", "mixed", Space.Hash, Space.Choices, "spos-evolution", -5, "f00d"),
        new K.ExperimentSubmitted("exp-1", "nas.train.total-steps = 8\n"),
        new K.ExperimentEndedV1("exp-0"),
        new K.ExperimentEnded("exp-2", new K.ExperimentResult("exp-2", true, true, null, null, false)),
        // the runtime's messages
        E.GetStatus.Instance,
        Status,
        new E.WorkFailed("score/r7", "cuda:1", "checkpoint ck is corrupt; \"restore\" it", true),
        Progress,
        E.RegisterAgain.Instance,
        new E.RegistrationRefused("protocol version 2, this coordinator speaks 1; \"upgrade\" ünï"),
        new E.ResultAcknowledged("slice/3/1"),
        new K.SubmitExperiment("exp-1", "nas {\n  train { total-steps = 8 }\n}\n# ünï \"quoted\"", int.MaxValue),
        new K.SubmitResult("exp-1", false, "the cluster is running experiment 'other'", false),
        new K.GetExperiment("exp-1"),
        new K.ExperimentResult("exp-1", true, true, Status, "failed: \"why\"", true),
        new K.ExperimentAnnounced("exp-1", "nas.train.total-steps = 8", "00ff00ff00ff00ff", 1, "0123456789ab"),
        new K.ExperimentProgressed("exp-1", Status, Progress, 1234.5),
        // one-shot work, results and events (every strategy's)
        new TrainSlice(Slice with { Policy = "policy-ck", PathEvery = 3 }),
        new MergeSlices(3, ["c0", "c1", "c2"]),
        new NasActors.Core.Strategies.Darts.TrainMixedSlice(Slice),
        new NasActors.Core.Strategies.Darts.ReadArchitectureWeights(2, "ck"),
        new NasActors.Core.Strategies.Darts.ArchitectureWeightsRead("alphas/2", 2, "ck", [[Tricky, -1e-3], [0.5, 2]], [[1.0 / 3, 0]]),
        new NasActors.Core.Strategies.Darts.ArchitectureEpochCompleted(2, [[0.125, Tricky]], [[1.0 / 7, 0.5], [1e-300, 1]]),
        new ScoreRollout(R1, "ck", EvalSplit.Validation),
        new RewardRollout(R2, "ck", 12_345_678_901L, 256),
        new RetrainEpoch(R1, new RetrainSettings(600, 96, 0.025, 1e-3, 0.9, 3e-4, 5, 16, 0.2, 0.4, 2, 10), 599, 1, "ck", 9),
        new RetrainTest(R1 with { Id = new RolloutId(0) }, RetrainSettings.Off, "ck"),
        new MergeRetrainSlots(new RolloutId(7), 3, ["c0", "c1"], 2),
        new SliceTrained("slice/3/1", Slice with { FromCheckpoint = null }, new SliceResult("ck", Tricky, 0.75, 1600, 3.25)),
        new SlicesMerged("merge/3", 3, "ck"),
        new RolloutScored("score/r7", new RolloutId(7), EvalSplit.Test, M1),
        new RetrainEpochTrained("retrain/r7/3/1", new RolloutId(7), 3, 1, new SliceResult("ck", Tricky, 0.75, 1600, 3.25), 2),
        new RetrainSlotsMerged("retrain-merge/r7/3.2", new RolloutId(7), 3, "ck", 2),
        new RetrainTested("retrain-test/r7", new RolloutId(7), new TrainedModel(M3, "w")),
        new SliceCompleted(3, 1, "ckpt", Tricky, 1.0 / 3, 3200, 12.5),
        new RoundCompleted(4, "abcdef0123456789"),
        new SearchCompleted(Top),
        new TestCompleted(new RolloutId(7), M1),
        new RetrainSliceCompleted(new RolloutId(7), 3, 1, "ckpt", Tricky, 1.0 / 3, 3200, 12.5, 2),
        new RetrainRoundCompleted(new RolloutId(7), 3, 2, "ckpt"),
        new RetrainEpochCompleted(new RolloutId(7), 3, "ckpt"),
        new RetrainCompleted(new RolloutId(7), 3000, M2, "w"),
        // population strategies
        new GenerationProposed(5, [R1, R2], Rng),
        new ScoreRecorded(new RolloutId(7), M1),
        // ENAS
        new InitPolicy(new PolicyMeta(0, 0, Rng)),
        new SamplePolicy("policy", 10, Rng, 61, true),
        new UpdatePolicy("policy", [A1, A2], [Tricky, -0.0], new PolicyMeta(62, 1.0 / 3, Rng), double.Epsilon),
        new PolicyCreated("policy/init", "policy"),
        new PolicySampled("policy/derive/61", 61, true, [A2, A1], Rng),
        new PolicyLearned("policy/update/62", 62, new PolicyUpdate("policy2", -1.5, 9.75, double.NaN), 1.0 / 3, Tricky),
        new PolicyInitialized("policy"),
        new BatchSampled(60, [R1, R2], Rng, false),
        new RewardRecorded(new RolloutId(7), M3),
        new PolicyUpdated(61, "policy2", 1.0 / 3, new ReinforceStats(0.5, Tricky, 1e-300, 5)),
        // the fake strategy of these tests (its own kinds, found by their [Manifest])
        new ToyWork(2, "1-000042"),
        new ToyDone("toy/2/1-000042", 2, "1-000042", long.MinValue),
        new BatchOpened(2, ["0-000001", "1-000042"], Rng),
        new ValueRecorded(2, "1-000042", 42),
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
        var ser = Sys.Serialization.FindSerializerFor(Status);
        var back = (E.StatusResult)Sys.Serialization.Deserialize(ser.ToBinary(Status), NasSerializer.Id, "nas.experiment.status.v2");

        Assert.Equal(["baseline", "best_accuracy", "images_trained", "train_loss"], back.Plan.Figures.Keys);
        Assert.True(double.IsNaN(back.Plan.Figures["train_loss"]));
        Assert.Equal(1e-310, back.Plan.Figures["best_accuracy"]);
        Assert.Equal(new PlanCounter("generation", 2, long.MaxValue), back.Plan.Counter("generation"));
        var arch = back.Plan.Ranking[0].Rollout.Architecture;
        Assert.Equal(A1, arch);
        Assert.Equal(A1.Hash, arch.Hash);
        Assert.Equal("0,2", arch["reduce/input_3_1"]);
        Assert.Equal(new RolloutId(7), back.Plan.Ranking[0].Rollout.Id);
        Assert.Equal(0.30000000000000004, back.Plan.Ranking[0].Metrics.Accuracy);
        Assert.Equal(new RetrainResult(new RolloutId(7), 10, M3, "w"), back.Plan.Retrained);

        // The journaled start event rebuilds the very space it was written from (status and export need nothing else).
        var started = PlainSamples.OfType<E.Started>().Single();
        var again = (E.Started)Sys.Serialization.Deserialize(Sys.Serialization.FindSerializerFor(started).ToBinary(started), NasSerializer.Id, "nas.experiment.started.v2");
        Assert.Equal(Space.Hash, again.ToSpace().Hash);
        Assert.Equal(2, again.ToSpace()["input_1"].NChosen);
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
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(E.GetStatus.Instance);
        var bytes = serializer.ToBinary(new ScoreRecorded(new RolloutId(1), M1));
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "nas.event.score-recorded.v99"));
        Assert.Contains("nas.event.score-recorded.v99", e.Message);
        Assert.Contains("newer or different version", e.Message);
    }

    [Fact]
    public void NasSerializer_must_refuse_a_work_kind_without_a_manifest()
    {
        var work = new Unmanifested(3);
        var serializer = Sys.Serialization.FindSerializerFor(work);
        Assert.IsType<NasSerializer>(serializer); // bound through WorkItem ...
        var e = Assert.Throws<SerializationException>(() => serializer.ToBinary(work)); // ... but refused, not serialized by type name
        Assert.Contains(nameof(Unmanifested), e.Message);
        Assert.Contains("no NasActors manifest", e.Message);
    }

    /// <summary>
    /// Every event a store of format 1 holds (one real payload per manifest, tests/golden/v1/payloads.json): the
    /// experiment's, population's and controller's are refused with the format-1 line; the cluster coordinator's own
    /// journal events are still read (that is how it reports a format-1 experiment).
    /// </summary>
    [Fact]
    public void NasSerializer_must_refuse_the_events_of_store_format_1_saying_so()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(E.GetStatus.Instance);
        var payloads = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Golden.Root, "payloads.json")))!;
        Assert.Equal(18, payloads.Count);
        foreach (var (manifest, payload) in payloads)
        {
            var bytes = Encoding.UTF8.GetBytes(payload);
            if (manifest.StartsWith("nas.coordinator.", StringComparison.Ordinal))
            {
                Assert.NotNull(serializer.FromBinary(bytes, manifest));
                continue;
            }
            Assert.True(NasManifests.IsFormat1(manifest), manifest);
            var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, manifest));
            Assert.Contains("store format 1", e.Message);
            Assert.Contains(manifest, e.Message);
        }
        var ended = Assert.IsType<K.ExperimentEndedV1>(serializer.FromBinary(Encoding.UTF8.GetBytes(payloads["nas.coordinator.experiment-ended.v1"]), "nas.coordinator.experiment-ended.v1"));
        Assert.Equal("cluster-finished", ended.Name);
    }

    [Fact]
    public void NasSerializer_must_skip_fields_added_by_a_later_version()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(E.GetStatus.Instance);
        var json = """{"Id":3,"Metrics":{"Accuracy":0.5,"Loss":0.25,"Flops":10,"Params":2,"LatencyMs":0,"Energy":9},"Worker":"node-2"}""";
        var back = Assert.IsType<ScoreRecorded>(serializer.FromBinary(JournalChecksum.Seal("nas.event.score-recorded.v2", Encoding.UTF8.GetBytes(json)), "nas.event.score-recorded.v2"));
        Assert.Equal(new ScoreRecorded(new RolloutId(3), new Metrics(0.5, 0.25, 10, 2)), back);
    }

    [Fact]
    public void NasSerializer_must_read_retrain_events_journaled_before_rounds_as_round_0()
    {
        // Journals written before nas.retrain.rounds-per-epoch have no Round: one round per epoch, round 0.
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(E.GetStatus.Instance);
        var json = """{"Id":7,"Epoch":3,"Slot":1,"Checkpoint":"ckpt","Loss":0.5,"Accuracy":0.25,"Images":3200,"Seconds":12.5}""";
        var back = Assert.IsType<RetrainSliceCompleted>(serializer.FromBinary(JournalChecksum.Seal("nas.event.retrain-slice-completed.v2", Encoding.UTF8.GetBytes(json)), "nas.event.retrain-slice-completed.v2"));
        Assert.Equal(new RetrainSliceCompleted(new RolloutId(7), 3, 1, "ckpt", 0.5, 0.25, 3200, 12.5, 0), back);
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

            // Journal events (every plan's) are written to the store, never sent: no frame limit for them.
            var proposed = new GenerationProposed(3, [R1 with { Origin = new string('o', 200_000) }], Rng);
            Assert.True(small.Serialization.FindSerializerFor(proposed).ToBinary(proposed).Length > 200_000);
            // Work and results are messages: limited like the runtime's own.
            var work = new ScoreRollout(R1 with { Origin = new string('o', 70_000) }, "ck", EvalSplit.Validation);
            Assert.Contains("nas.work.score-rollout.v2", Assert.Throws<SerializationException>(() => small.Serialization.FindSerializerFor(work).ToBinary(work)).Message);
        }
        finally
        {
            Shutdown(small, TimeSpan.FromSeconds(10));
        }
    }

    private static int JsonLength(ActorSystem system, object o) => system.Serialization.FindSerializerFor(o).ToBinary(o).Length;

    private sealed record NotRegistered(int X) : INasSerializable;

    private sealed record Unmanifested(int X) : WorkItem
    {
        public override string Key => "unmanifested";
        public override WorkResult Execute(WorkContext context) => throw new NotSupportedException();
    }
}
