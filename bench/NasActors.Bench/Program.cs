using NasActors.Bench;

// Benchmarks print figures; they assert nothing. Run them through bench/run.sh (it sets the allocator tunables).
var which = args.Length > 0 ? args[0] : "help";
var rest = args.Skip(1).ToArray();
switch (which)
{
    case "overhead": await OverheadBench.Run(rest); break;
    case "scaling": await ScalingBench.Run(rest); break;
    case "resume": await ResumeBench.Run(rest); break;
    case "resume-child": await ResumeBench.Child(rest); break;
    case "memory": MemoryBench.Run(rest); break;
    case "enas-quality": await EnasQualityBench.Run(rest); break;
    case "enas-speed": EnasSpeedBench.Run(rest); break;
    case "enas-resume": await EnasResumeBench.Run(rest); break;
    case "enas-resume-child": await EnasResumeBench.Child(rest); break;
    case "cluster-scaling": await ClusterScalingBench.Run(rest); break;
    case "cluster-rtt": await ClusterRttBench.Run(rest); break;
    case "cluster-rtt-echo": await ClusterRttBench.Echo(rest); break;
    case "cluster-failover": await ClusterFailoverBench.Run(rest); break;
    case "strategies": await StrategiesBench.Run(rest); break;
    case "status-export": await StatusExportBench.Run(rest); break;
    case "spaces": SpacesBench.Run(rest); break;
    case "darts-quality": await DartsQualityBench.Run(rest); break;
    default:
        Console.WriteLine("usage: bench/run.sh overhead [steps] | scaling [steps] | resume [candidates] | memory [steps] | enas-quality [seeds] [key=value...] | enas-speed | enas-resume" +
                          " | cluster-scaling [cost=500ms] [Ns=1,2,4,8] | cluster-rtt [n=2000] | cluster-failover [reps=1]" +
                          " | strategies [seeds=3] [candidates=48] [key=value...] | status-export [candidates=1200] | darts-quality [seeds=3] [--smoke]");
        break;
}
