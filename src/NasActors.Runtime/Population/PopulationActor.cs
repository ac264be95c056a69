using System.Collections.Immutable;
using Akka.Actor;
using Settings = NasActors.Runtime.Population.PopulationProtocol.Settings;
using Akka.Event;
using Akka.Persistence;
using NasActors.Core.Strategies;
using static NasActors.Runtime.Population.PopulationProtocol;

namespace NasActors.Runtime.Population;

/// <summary>Thin persistent shell around a pure <see cref="ISearchStrategy"/>: persist what it decides, apply it, reply.</summary>
internal sealed class PopulationActor : ReceivePersistentActor
{
    private readonly Settings _settings;
    private readonly ISearchStrategy _strategy;
    private SearchState _state;
    private int _sinceSnapshot;

    public override string PersistenceId { get; }

    public PopulationActor(Settings settings, ISearchStrategy strategy)
    {
        _settings = settings;
        _strategy = strategy;
        _state = strategy.Initial();
        PersistenceId = PopulationProtocol.PersistenceId(settings.Name);

        Recover<SnapshotOffer>(o => _state = ((Snapshot)o.Snapshot).ToState());
        Recover<GenerationProposed>(e => _state = _strategy.Apply(_state, new Proposal(e.Generation, e.Rollouts, e.RngAfter)));
        Recover<ScoreRecorded>(e => _state = _strategy.Observe(_state, e.Id, e.Metrics));

        Command<GetRollouts>(_ => OnGetRollouts());
        Command<RecordScore>(OnRecordScore);
        Command<GetRanking>(q => Sender.Tell(new RankingResult(_strategy.Name, _state.Generation, _state.Scores.Count, _state.Finished,
            [.. _state.Ranked.Take(q.TopK)])));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    // Not base: it logs the exception with its stack trace to stdout. The experiment watches this actor and reports.
    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.GetLogger().Info("population {0} cannot replay its journal: {1}", PersistenceId, reason.GetBaseException().Message);

    private void OnGetRollouts()
    {
        var replyTo = Sender;
        var proposal = _strategy.Propose(_state);
        if (proposal is null)
        {
            replyTo.Tell(Rollouts());
            return;
        }
        Persist(new GenerationProposed(proposal.Generation, proposal.Rollouts, proposal.RngAfter), e =>
        {
            _state = _strategy.Apply(_state, proposal);
            MaybeSnapshot();
            replyTo.Tell(Rollouts());
        });
    }

    private RolloutsResult Rollouts() =>
        new(_state.Generation, [.. _state.Unscored], _state.Finished, _state.Parents, _state.Scores.Count);

    private void OnRecordScore(RecordScore r)
    {
        var replyTo = Sender;
        var known = _state.Pending.Any(p => p.Id == r.Id);
        if (!known || _state.Scores.ContainsKey(r.Id))
        {
            replyTo.Tell(Reply(r, duplicate: true));
            return;
        }
        Persist(new ScoreRecorded(r.Id, r.Metrics), e =>
        {
            _state = _strategy.Observe(_state, e.Id, e.Metrics);
            MaybeSnapshot();
            replyTo.Tell(Reply(r, duplicate: false));
        });
    }

    private ScoreRecordedResult Reply(RecordScore r, bool duplicate) => new(
        r.Id, duplicate, _state.GenerationComplete, _state.Finished, _state.Generation, _state.Scores.Count,
        _state.Scores.Values.Order(Core.Experiments.ScoredRollout.BestFirst).FirstOrDefault());

    private void MaybeSnapshot()
    {
        if (++_sinceSnapshot < _settings.SnapshotEvery) return;
        _sinceSnapshot = 0;
        SaveSnapshot(Snapshot.From(_state));
    }
}
