// Searches NNI's MNIST example space on Fashion-MNIST with NasActors as a library:
//   dotnet run --project examples/MnistSkip -c Release -- [random|spos-evolution|smoke] [STORE]
// (the first argument names the config beside the program: random.conf, spos-evolution.conf or smoke.conf)
// Run it again after an interruption (Ctrl-C, kill -9) and it resumes where the journal stops, to the same result.
using MnistSkip;
using NasActors.Cli;

// The space is registered in this program only, so its experiments are read and resumed through it too:
//   dotnet examples/MnistSkip/bin/Release/net10.0/MnistSkip.dll export mnist-skip-random --store experiments
Nas.Register([new MnistSkipSpace()]);
if (args is ["status" or "export" or "resume", ..]) return await Nas.Run(args);

var config = args.Length > 0 ? args[0] : "random";
var store = args.Length > 1 ? args[1] : "experiments";
return await Nas.SearchOrResume($"mnist-skip-{config}", Path.Combine(AppContext.BaseDirectory, $"{config}.conf"), store);
