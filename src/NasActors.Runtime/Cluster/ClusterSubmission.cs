using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using NasActors.Core;
using NasActors.Runtime.Serialization;
using static NasActors.Runtime.Cluster.CoordinatorProtocol;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// `nas search --cluster`: submits an experiment to the coordinator (retrying until it answers, e.g. while the
/// cluster forms or the singleton moves), then follows it: structured progress from its pub-sub topic, and its state polled
/// every couple of seconds, so the end is seen even if a published message is lost in a handover.
/// </summary>
public static class ClusterSubmission
{
    public static async Task<ExperimentResult> Run(ClusterNode node, string name, string configText,
        Action<Experiment.ExperimentProtocol.Progressed> onProgress, Action<string> onLine,
        TimeSpan submitTimeout, CancellationToken ct)
    {
        var ended = new TaskCompletionSource<ExperimentResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var follower = node.System.ActorOf(Akka.Actor.Props.Create(() => new Follower(name, onProgress, ended, subscribed)), "follow-" + name);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);

        var deadline = DateTime.UtcNow + submitTimeout;
        SubmitResult? submitted = null;
        while (submitted is null)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                submitted = await node.Coordinator.Ask<SubmitResult>(new SubmitExperiment(name, configText, NasProtocol.Current), TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
                onLine("waiting for the cluster's coordinator (controller nodes at " + string.Join(", ", node.Settings.Seeds) + ")...");
            }
            catch (AskTimeoutException)
            {
                throw new NasUserException($"no coordinator answered within {submitTimeout.TotalSeconds:F0} s; start controller nodes (`nas node --role controller`) at the --seeds given ({string.Join(", ", node.Settings.Seeds)})");
            }
        }
        if (!submitted.Accepted)
        {
            if (submitted.UserError) throw new NasUserException(submitted.Error ?? "the cluster refused the experiment");
            throw new InvalidOperationException(submitted.Error ?? "the cluster refused the experiment");
        }

        while (!ended.Task.IsCompleted)
        {
            await Task.WhenAny(ended.Task, Task.Delay(TimeSpan.FromSeconds(2), ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (ended.Task.IsCompleted) break;
            try
            {
                var r = await node.Coordinator.Ask<ExperimentResult>(new GetExperiment(name), TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                if (r.Finished) ended.TrySetResult(r);
            }
            catch (AskTimeoutException)
            {
                // The coordinator is moving to another node; keep following.
            }
        }
        node.System.Stop(follower);
        return await ended.Task.ConfigureAwait(false);
    }

    private sealed class Follower : ReceiveActor
    {
        public Follower(string name, Action<Experiment.ExperimentProtocol.Progressed> onProgress, TaskCompletionSource<ExperimentResult> ended, TaskCompletionSource subscribed)
        {
            var mediator = DistributedPubSub.Get(Context.System).Mediator;
            mediator.Tell(new Subscribe(ProgressTopic(name), Self));
            Receive<SubscribeAck>(_ => subscribed.TrySetResult());
            Receive<ExperimentProgressed>(p => onProgress(new Experiment.ExperimentProtocol.Progressed(p.Status, p.Live, p.ImagesPerSecond)));
            Receive<ExperimentResult>(r => { if (r.Finished) ended.TrySetResult(r); });
        }
    }
}
