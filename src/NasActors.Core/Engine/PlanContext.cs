using NasActors.Core.Experiments;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Engine;

/// <summary>What a strategy module builds its plan from.</summary>
/// <param name="Costs">The space's cost table; null when the plan only replays a journal (`nas status`, `nas export`).</param>
/// <param name="Settings">The strategy's own settings, as its module read them.</param>
/// <param name="ReadOnly">The plan only folds journaled events: limits are not checked, nothing is proposed.</param>
public sealed record PlanContext(SearchSpace Space, ICostModel? Costs, EngineSettings Engine, object Settings, bool ReadOnly = false);
