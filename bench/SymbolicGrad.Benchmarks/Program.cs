using SymbolicGrad.Benchmarks;

// dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- verify | report [--quick] [--out FILE] | buildtime | bytes | peak | parallel [--quick] | secondorder [--quick]
string command = args.Length > 0 ? args[0] : "";
bool quick = args.Contains("--quick");
int outIndex = Array.IndexOf(args, "--out");
string? outPath = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;

switch (command)
{
    case "verify":
        return Verifier.RunAll(Console.Out) ? 0 : 1;
    case "buildtime":
        Console.WriteLine(BuildTime.Measure(quick).ToMarkdown());
        return 0;
    case "generate" when args.Length > 1:
        BuildTime.Print(args[1], Console.Out);
        return 0;
    case "report":
        return Report.Run(quick, outPath);
    case "parallel":
        return Report.RunDataParallel(quick);
    case "secondorder":
        if (!SymbolicGrad.Benchmarks.SecondOrder.SecondOrderReport.Verify(Console.Out))
        {
            return 1;
        }

        Console.WriteLine(SymbolicGrad.Benchmarks.SecondOrder.SecondOrderReport.Run(Report.Config(quick)));
        return 0;
    case "bytes":
        foreach (var entry in ProblemCatalog.All.Where(e => e.HasGenerated))
        {
            foreach (string size in entry.Sizes)
            {
                Console.WriteLine($"{entry.Name}, {size}: {entry.GeneratedThreadBytes(size).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} bytes per call on the calling thread");
            }
        }

        return 0;
    case "peak":
        Console.WriteLine(PeakFlops.Measure(quick));
        return 0;
    default:
        Console.WriteLine("""
            SymbolicGrad benchmarks: generated gradients against hand-written code, PyTorch, a tape and numeric gradients.

              verify                  every contender's gradient against the hand-written one and numeric, PyTorch's if installed (no timing)
              report [--quick]        verify, time the generator, run BenchmarkDotNet, write docs/benchmarks.md
                     [--out FILE]     write the report elsewhere
              buildtime               only the generator's build-time table
              bytes                   only the generated gradients' allocation per call on the calling thread
              peak                    only the FMA throughput kernel (GFLOP/s of one core)
              secondorder [--quick]   only the second-order rows (H·v, Hessians, Newton-CG vs L-BFGS, bundle adjustment)
              parallel [--quick]      only the data-parallel rows (ShardedObjective on 1 thread and every core)
              generate FILE           run the generator on one C# file and print its output and diagnostics

            """);
        return command is "" or "help" or "--help" or "-h" ? 0 : 2;
}
