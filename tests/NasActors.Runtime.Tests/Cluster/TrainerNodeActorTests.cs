using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using NasActors.Core;
using NasActors.Core.Training;
using NasActors.Runtime.Cluster;
using NasActors.Runtime.Serialization;
using NasActors.Runtime.Tests.Support;
using Xunit.Abstractions;
using static NasActors.Runtime.Cluster.CoordinatorProtocol;
using E = NasActors.Runtime.Experiment.ExperimentProtocol;

namespace NasActors.Runtime.Tests.Cluster;

/// <summary>
/// A trainer node's agent with a probe for the coordinator (a one-node cluster: it subscribes through DistributedPubSub;
/// announcements are sent to it directly): trainers per device, registering again with a new coordinator, a build that
/// fails, and a node whose search space differs from the coordinator's.
/// </summary>
public sealed class TrainerNodeActorTests : SqliteTestKit
{
    private const string ClusterConfig = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster { gossip-interval = 200ms, leader-actions-interval = 100ms, pub-sub.gossip-interval = 200ms }
        """;

    private readonly TestProbe _coordinator;
    private int _builds;

    public TrainerNodeActorTests(ITestOutputHelper output) : base(ClusterConfig, output)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
        _coordinator = CreateTestProbe("coordinator");
    }

    private static readonly FakeBackendFactory Tiny = new(Spaces.Tiny());

    private IActorRef Node(Func<string, string, ITrainerBackendFactory>? factories = null, params string[] devices) =>
        Sys.ActorOf(TrainerNodeProtocol.Props(
            new TrainerNodeProtocol.Settings(devices.Length == 0 ? ["cpu", "cpu"] : [.. devices], TimeSpan.FromHours(1)),
            factories ?? ((_, _) =>
            {
                Interlocked.Increment(ref _builds);
                return new FakeBackendFactory(Spaces.Tiny());
            }), _coordinator.Ref));

    private static ExperimentAnnounced Announced(string name, string incarnation, string? spaceHash = null) =>
        new(name, "nas { }", spaceHash ?? Tiny.Space.Hash, NasProtocol.Current, incarnation);

    private List<E.RegisterTrainer> Registrations(int count) => [.. Enumerable.Range(0, count).Select(_ => _coordinator.ExpectMsg<E.RegisterTrainer>())];

    [Fact]
    public void TrainerNodeActor_must_start_one_trainer_per_device_that_registers_with_the_coordinator()
    {
        var node = Node();
        node.Tell(Announced("x", "c1"));
        var regs = Registrations(2);
        Assert.All(regs, r => Assert.Equal(("cpu", Tiny.Space.Hash, NasProtocol.Current), (r.Device, r.SpaceHash, r.ProtocolVersion)));
        Assert.Equal(2, regs.Select(r => r.Trainer).Distinct().Count());
        // The same announcement again (the coordinator repeats it): nothing new.
        node.Tell(Announced("x", "c1"));
        _coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, _builds);
    }

    [Fact]
    public void TrainerNodeActor_must_register_the_same_trainers_again_when_the_coordinator_moves()
    {
        var node = Node();
        node.Tell(Announced("x", "c1"));
        var first = Registrations(2).Select(r => r.Trainer).ToHashSet();
        // The coordinator restarted elsewhere (a new incarnation): the same trainers register with it, nothing is rebuilt.
        node.Tell(Announced("x", "c2"));
        var again = Registrations(2).Select(r => r.Trainer).ToHashSet();
        Assert.Equal(first, again);
        Assert.Equal(1, _builds);
    }

    [Fact]
    public void TrainerNodeActor_must_start_no_trainers_when_the_build_fails_and_not_retry_that_experiment()
    {
        var calls = 0;
        var node = Node((name, _) =>
        {
            Interlocked.Increment(ref calls);
            if (name == "broken") throw new NasUserException("dataset missing on this node");
            return new FakeBackendFactory(Spaces.Tiny());
        });
        EventFilter.Error(contains: "cannot run trainers for experiment 'broken'").ExpectOne(() => node.Tell(Announced("broken", "c1")));
        _coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        node.Tell(Announced("broken", "c1"));
        node.Tell(Announced("broken", "c2"));
        _coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, calls);
        // The next experiment is built and runs.
        node.Tell(Announced("next", "c3"));
        Registrations(2);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void TrainerNodeActor_must_start_trainers_that_state_their_own_space_when_it_differs_from_the_coordinators()
    {
        var node = Node();
        var other = new string('f', Tiny.Space.Hash.Length);
        EventFilter.Warning(contains: "its trainers will be refused").ExpectOne(() => node.Tell(Announced("x", "c1", spaceHash: other)));
        // They say which space they build: the coordinator refuses them (CoordinatorActorTests, ExperimentActorTests).
        Assert.All(Registrations(2), r => Assert.Equal(Tiny.Space.Hash, r.SpaceHash));
    }

    [Fact]
    public void TrainerNodeActor_must_stop_the_trainers_of_the_previous_experiment_when_another_is_announced()
    {
        var node = Node();
        node.Tell(Announced("x", "c1"));
        var old = Registrations(2).Select(r => r.Trainer).ToList();
        foreach (var t in old) Watch(t);
        node.Tell(Announced("y", "c1"));
        // In either order.
        var stopped = new[] { ExpectMsg<Terminated>(), ExpectMsg<Terminated>() }.Select(t => t.ActorRef).ToHashSet();
        Assert.True(stopped.SetEquals(old));
        Assert.DoesNotContain(Registrations(2), r => old.Contains(r.Trainer));
        Assert.Equal(2, _builds);
    }
}
