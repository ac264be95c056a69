using NasActors.Core.Engine;

namespace NasActors.Core.OneShot;

[Manifest("nas.event.slice-completed.v2")]
public sealed record SliceCompleted(int Round, int Slot, string Checkpoint, double Loss, double Accuracy, int Images, double Seconds) : PlanEvent;
