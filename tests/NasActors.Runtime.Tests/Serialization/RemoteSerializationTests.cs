using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;
using K = NasActors.Runtime.Cluster.CoordinatorProtocol;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace NasActors.Runtime.Tests.Serialization;

/// <summary>
/// Two ActorSystems talking over real Akka remoting (dot-netty TCP on 127.0.0.1) with
/// <see cref="AkkaConfig.RemoteSerialization"/>: A (the TestKit's system) hosts a stand-in experiment, B is the
/// trainer's node. Our messages cross with their manifests, actor refs inside them resolve on the other node,
/// Akka's own messages (Identify, selections, DeathWatch) still work, and what we did not register or what does not
/// fit a frame is refused loudly on the sending node.
/// </summary>
public sealed class RemoteSerializationTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static Config Remote => ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.log-remote-lifecycle-events = off
        akka.remote.dot-netty.tcp {
          hostname = 127.0.0.1
          port = 0
          maximum-frame-size = 64000b
        }
        """).WithFallback(AkkaConfig.Quiet).WithFallback(AkkaConfig.RemoteSerialization);

    private static readonly Rollout R7 = new(new RolloutId(7), new Architecture([KeyValuePair.Create("op_1", "sep_conv_3x3"), KeyValuePair.Create("in_2", "0,1")]), 2, "gen 2 mutation of r3");
    private static readonly Metrics M = new(0.1 + 0.2, Math.PI, 123_456_789, 42, 1.0 / 3);
    private static readonly TrainSlice Work = new(new SupernetSlice(3, 1, 2, "0123456789abcdef", 150, 50) { Policy = "policy-ck" });

    private readonly ActorSystem _b;
    private readonly Address _addressB;
    private readonly TestProbe _atA;     // what the experiment on A receives
    private readonly TestProbe _atB;     // the trainer on B
    private readonly TestProbe _errorsB; // Error log events on B
    private readonly ActorSelection _experiment; // A's experiment, seen from B

    public RemoteSerializationTests() : base(Remote, "a")
    {
        _b = ActorSystem.Create("b", Remote);
        try
        {
            _addressB = ((ExtendedActorSystem)_b).Provider.DefaultAddress;
            _atA = CreateTestProbe();
            _atB = CreateTestProbe(_b);
            _errorsB = CreateTestProbe(_b);
            _b.EventStream.Subscribe(_errorsB.Ref, typeof(Error));
            Sys.ActorOf(Props.Create(() => new StandInExperiment(_atA.Ref)), "experiment");
            var addressA = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
            Assert.Equal(2, new[] { addressA.Port, _addressB.Port }.Distinct().Count(p => p > 0));
            _experiment = _b.ActorSelection(new RootActorPath(addressA) / "user" / "experiment");
            // Identify / ActorIdentity (Akka's own bindings) cross, and the association is up before the tests send anything.
            _experiment.ResolveOne(Timeout).Wait(Timeout);
        }
        catch
        {
            // xunit does not dispose a test class whose constructor threw
            Task.WaitAll([_b.Terminate(), Sys.Terminate()], Timeout);
            throw;
        }
    }

    protected override void AfterAll()
    {
        _b.Terminate().Wait(Timeout);
        base.AfterAll();
    }

    [Fact]
    public void RegisterTrainer_must_carry_a_ref_the_remote_experiment_can_reply_to()
    {
        _experiment.Tell(new E.RegisterTrainer(_atB.Ref, "cuda:1"), _atB.Ref);

        var reg = _atA.ExpectMsg<E.RegisterTrainer>(Timeout);
        Assert.Equal("cuda:1", reg.Device);
        Assert.Equal(_addressB, reg.Trainer.Path.Address); // a remote ref to B's trainer, not a local guess
        Assert.Equal(_atB.Ref.Path.Elements, reg.Trainer.Path.Elements);
        Assert.Equal(_atB.Ref.Path.Uid, reg.Trainer.Path.Uid);
        Assert.Equal(reg.Trainer, _atA.LastSender); // the ref inside the message equals Akka's own sender ref

        // The experiment answers through the ref from the message; the work item arrives intact.
        var work = _atB.ExpectMsg<TrainSlice>(Timeout);
        Deep.Equal(Work, work);
        Assert.Equal(Work, work);

        // RequestWork's ref resolves the same way.
        _experiment.Tell(new E.RequestWork(_atB.Ref), _atB.Ref);
        Assert.Equal(reg.Trainer, _atA.ExpectMsg<E.RequestWork>(Timeout).Trainer);
    }

    [Fact]
    public void ScoreRollout_and_RolloutScored_must_cross_nodes_unchanged()
    {
        var score = new ScoreRollout(R7, "ck-abc", EvalSplit.Validation);
        _experiment.Tell(score, _atB.Ref);

        Deep.Equal(score, _atA.ExpectMsg<ScoreRollout>(Timeout));
        Deep.Equal(new RolloutScored(score.Key, R7.Id, EvalSplit.Validation, M), _atB.ExpectMsg<RolloutScored>(Timeout));
    }

    [Fact]
    public void A_strategys_own_work_and_result_kinds_must_cross_nodes_by_their_manifests()
    {
        var work = new ToyWork(4, "2-654321");
        _experiment.Tell(work, _atB.Ref);

        Assert.Equal(work, _atA.ExpectMsg<ToyWork>(Timeout));
        Assert.Equal(ToyPlan.Done(work), _atB.ExpectMsg<ToyDone>(Timeout));
    }

    [Fact]
    public void DeathWatch_must_tell_the_remote_experiment_that_a_registered_trainer_stopped()
    {
        var trainer = _b.ActorOf(Props.Create(() => new Forwarder(_atB.Ref)), "trainer-0");
        _experiment.Tell(new E.RegisterTrainer(trainer, "cpu"), trainer);
        var reg = _atA.ExpectMsg<E.RegisterTrainer>(Timeout);
        _atB.ExpectMsg<TrainSlice>(Timeout); // the watch is set before the reply is sent

        _b.Stop(trainer);
        Assert.Equal(reg.Trainer, _atA.ExpectMsg<TrainerStopped>(Timeout).Trainer);
    }

    [Fact]
    public void RemoteSerialization_must_refuse_an_unregistered_message_type_instead_of_serializing_it_by_type_name()
    {
        _experiment.Tell(new NotRegistered("secret", 1), _atB.Ref);
        _experiment.Tell(new K.GetExperiment("three"), _atB.Ref); // the association stays up: what follows arrives

        Assert.Equal(new K.GetExperiment("three"), _atA.ExpectMsg<K.GetExperiment>(Timeout)); // and NotRegistered did not arrive before it
        var error = _errorsB.FishForMessage<Error>(e => e.Cause is SerializationException, Timeout);
        Assert.Contains(typeof(NotRegistered).FullName!, error.Cause.Message);
        Assert.Contains("has no NasActors manifest", error.Cause.Message);
        _atA.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void NasSerializer_must_refuse_a_message_larger_than_the_frame_on_the_sending_node()
    {
        var big = new E.WorkFailed("score/r7", "cuda:1", new string('x', 70_000), false);
        _experiment.Tell(big, _atB.Ref);
        _experiment.Tell(new K.GetExperiment("four"), _atB.Ref);

        Assert.Equal(new K.GetExperiment("four"), _atA.ExpectMsg<K.GetExperiment>(Timeout));
        var error = _errorsB.FishForMessage<Error>(e => e.Cause is SerializationException, Timeout);
        Assert.Contains(typeof(E.WorkFailed).FullName!, error.Cause.Message);
        Assert.Contains("maximum-frame-size = 64000", error.Cause.Message);
        _atA.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void RefusingSerializer_must_refuse_to_read_a_payload_as_well()
    {
        var e = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize([1, 2, 3], RefusingSerializer.Id, typeof(NotRegistered)));
        Assert.Contains("must not be deserialized by type name", e.Message);
        Assert.IsType<RefusingSerializer>(Sys.Serialization.FindSerializerFor(new NotRegistered("x", 2)));
        Assert.IsType<NasSerializer>(Sys.Serialization.FindSerializerFor(Work));
    }

    /// <summary>Forwards everything to a probe; answers a registration with work through the ref in the message, and a score request with a score.</summary>
    private sealed class StandInExperiment : ReceiveActor
    {
        public StandInExperiment(IActorRef probe)
        {
            Receive<E.RegisterTrainer>(r =>
            {
                probe.Forward(r);
                Context.Watch(r.Trainer);
                r.Trainer.Tell(Work);
            });
            Receive<ScoreRollout>(s =>
            {
                probe.Forward(s);
                Sender.Tell(new RolloutScored(s.Key, s.Rollout.Id, s.Split, M));
            });
            Receive<ToyWork>(w =>
            {
                probe.Forward(w);
                Sender.Tell(ToyPlan.Done(w));
            });
            // A Terminated forwarded as it is would be dropped by the probe, which does not watch that actor.
            Receive<Terminated>(t => probe.Tell(new TrainerStopped(t.ActorRef)));
            ReceiveAny(probe.Forward);
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(to.Forward);
    }

    private sealed record NotRegistered(string Secret, int X);

    private sealed record TrainerStopped(IActorRef Trainer);
}
