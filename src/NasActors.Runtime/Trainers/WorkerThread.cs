namespace NasActors.Runtime.Trainers;

/// <summary>
/// One dedicated OS thread that runs a trainer's jobs in order. Training must not run on the actor's dispatcher
/// (it would block the mailbox), and TorchSharp's dispose scopes and the backend are bound to one thread.
/// </summary>
internal sealed class WorkerThread : IDisposable
{
    private readonly System.Collections.Concurrent.BlockingCollection<Action> _jobs = new();
    private readonly Thread _thread;

    public WorkerThread(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    private void Loop()
    {
        foreach (var job in _jobs.GetConsumingEnumerable()) job();
    }

    public Task<T> Run<T>(Func<T> f)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _jobs.Add(() =>
        {
            try { tcs.SetResult(f()); }
            catch (Exception e) { tcs.SetException(e); }
        });
        return tcs.Task;
    }

    public void Dispose()
    {
        _jobs.CompleteAdding();
        // Let a running batch finish its dispose scope; the job itself observes cancellation between batches.
        _thread.Join(TimeSpan.FromSeconds(30));
    }
}
