using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.Training;
using NasActors.Runtime.Hosting;

namespace NasActors.Bench;

/// <summary>
/// Round trips of the search phase's work and result over Akka remoting between two OS processes on 127.0.0.1: this
/// process sends <see cref="ScoreRollout"/> work (a real rollout of the SPOS space of hocon/spos-fashion.conf), a child
/// process (this executable, `cluster-rtt-echo`) answers each with <see cref="RolloutScored"/>, both through the
/// project's serializer (AkkaConfig.RemoteSerialization: work and results as the plan's open kinds, by manifest). (a) latency, one message in flight; (b) throughput, 100 in flight.
/// </summary>
internal static class ClusterRttBench
{
    private const int Window = 100;

    private static Config SystemConfig() => ConfigurationFactory.ParseString("""
        akka {
          actor.provider = remote
          remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
          remote.log-remote-lifecycle-events = off
        }
        """).WithFallback(AkkaConfig.RemoteSerialization).WithFallback(AkkaConfig.Quiet);

    private static readonly Metrics Scored = new(0.8731, 0.3542, 2_271_488, 81_802);

    /// <summary>Child: answers every ScoreRollout; prints its actor's path, and stops when its stdin closes (the parent is gone). args[0]: the parent's address (informational).</summary>
    public static async Task Echo(string[] args)
    {
        var system = ActorSystem.Create("rtt-echo", SystemConfig());
        var echo = system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        Console.WriteLine($"echo {echo.Path.ToStringWithAddress(address)}");
        await Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
        await system.Terminate();
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() =>
            Receive<ScoreRollout>(w => Sender.Tell(new RolloutScored(w.Key, w.Rollout.Id, w.Split, Scored)));
    }

    /// <summary>Sends <c>count</c> messages with at most <c>window</c> in flight and records each round trip (Stopwatch ticks).</summary>
    private sealed record Go(ScoreRollout[] Messages, int Window, long[] Rtt, TaskCompletionSource Done);

    private sealed class Driver : ReceiveActor
    {
        private readonly IActorRef _echo;
        private Go? _go;
        private long[] _sentAt = [];
        private int _sent, _received;

        public Driver(IActorRef echo)
        {
            _echo = echo;
            Receive<Go>(go =>
            {
                _go = go;
                _sentAt = new long[go.Messages.Length];
                _sent = _received = 0;
                while (_sent < Math.Min(go.Window, go.Messages.Length)) SendNext();
            });
            Receive<RolloutScored>(r =>
            {
                var i = r.Id.Value;
                _go!.Rtt[i] = Stopwatch.GetTimestamp() - _sentAt[i];
                _received++;
                if (_sent < _go.Messages.Length) SendNext();
                if (_received == _go.Messages.Length) _go.Done.TrySetResult();
            });
        }

        private void SendNext()
        {
            var m = _go!.Messages[_sent];
            _sentAt[m.Rollout.Id.Value] = Stopwatch.GetTimestamp();
            _sent++;
            _echo.Tell(m);
        }
    }

    public static async Task Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 2000;
        var settings = BenchConfig.Load();
        var space = settings.SpaceModule.CreateSpace(settings.SpaceSpec);
        var rng = Xoshiro256.FromSeed(42);
        var archs = Enumerable.Range(0, 64).Select(_ => space.Sample(rng)).ToArray();
        ScoreRollout[] Messages(int count) => [.. Enumerable.Range(0, count).Select(i =>
            new ScoreRollout(new Rollout(new RolloutId(i), archs[i % archs.Length], 3, $"gen 3 mutation of r{i / 2}"), "ab6c89d52570f1e2", EvalSplit.Validation))];

        var system = ActorSystem.Create("rtt", SystemConfig());
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(ClusterRttBench).Assembly.Location);
        psi.ArgumentList.Add("cluster-rtt-echo");
        psi.ArgumentList.Add(address.ToString());
        using var child = Process.Start(psi)!;
        try
        {
            var line = await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the echo process exited at start");
            var echoPath = line.StartsWith("echo ", StringComparison.Ordinal) ? line[5..] : throw new InvalidOperationException($"unexpected echo output: {line}");
            var echo = await system.ActorSelection(echoPath).ResolveOne(TimeSpan.FromSeconds(20));

            var sample = Messages(1)[0];
            var reply = new RolloutScored(sample.Key, sample.Rollout.Id, sample.Split, Scored);
            Console.WriteLine($"cluster-rtt: {address} <-> {echo.Path.Address} (two processes, Akka.Remote over TCP on loopback), load {BenchConfig.LoadAverage()}");
            foreach (var m in new object[] { sample, reply })
            {
                var ser = system.Serialization.FindSerializerFor(m);
                var bytes = ser.ToBinary(m).Length;
                Console.WriteLine($"  {m.GetType().Name,-14} {bytes,4} bytes ({ser.GetType().Name} {ser.Identifier}, manifest {Akka.Serialization.Serialization.ManifestFor(ser, m)})");
            }
            Console.WriteLine($"  sample architecture: {sample.Rollout.Architecture.CanonicalKey}");

            var driver = system.ActorOf(Props.Create(() => new Driver(echo)), "driver");
            async Task<long[]> Round(int count, int window)
            {
                var go = new Go(Messages(count), window, new long[count], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                driver.Tell(go);
                await go.Done.Task.WaitAsync(TimeSpan.FromMinutes(2));
                return go.Rtt;
            }

            // (a) latency: one message in flight.
            await Round(Math.Max(500, n / 2), 1);
            var rtt = (await Round(n, 1)).Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
            double P(double q) => rtt[Math.Min(rtt.Length - 1, (int)Math.Ceiling(q * rtt.Length) - 1)];
            Console.WriteLine($"  (a) latency, 1 in flight, {n} round trips: p50 {P(0.5):F3} ms  p90 {P(0.9):F3} ms  p99 {P(0.99):F3} ms  max {rtt[^1]:F3} ms  (mean {rtt.Average():F3} ms)");

            // (b) throughput: 100 in flight.
            await Round(Math.Max(2000, n), Window);
            var clock = Stopwatch.StartNew();
            var under = await Round(10 * n, Window);
            var seconds = clock.Elapsed.TotalSeconds;
            var loaded = under.Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
            Console.WriteLine($"  (b) throughput, {Window} in flight, {10 * n} round trips in {seconds:F2} s: {10 * n / seconds:F0} round trips/s" +
                              $"  (latency under load p50 {loaded[loaded.Length / 2]:F2} ms, p99 {loaded[(int)(loaded.Length * 0.99)]:F2} ms)");
            Console.WriteLine("  Round trip = the driver actor's Tell to the RolloutScored reaching it: both serializations, both TCP hops, both mailboxes.");
        }
        finally
        {
            try { child.StandardInput.Close(); } catch (IOException) { }
            if (!child.WaitForExit(10_000)) child.Kill();
            await system.Terminate();
        }
    }
}
