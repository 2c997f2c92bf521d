using BenchmarkDotNet.Running;

// Run one with: dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*MotorTick*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
