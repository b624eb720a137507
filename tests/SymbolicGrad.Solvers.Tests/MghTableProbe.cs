using SymbolicGrad.Optimizers;
using SymbolicGrad.TestProblems;
using Xunit.Abstractions;

namespace SymbolicGrad.Solvers.Tests;

public class MghTableProbe(ITestOutputHelper output)
{
    [Theory]
    [InlineData("lbfgs")]
    [InlineData("newton")]
    [InlineData("newtoncg")]
    [InlineData("newtoncg-fd")]
    [InlineData("lbfgs-noftol")]
    [InlineData("newtoncg-noftol")]
    public void Table(string which)
    {
        foreach (var p in Mgh.All)
        {
            var f = which switch { "lbfgs" => p.GeneratedObjective(), "newtoncg-fd" => p.Objective(false), _ => p.Objective(true) };
            if (which == "lbfgs-noftol") f = p.GeneratedObjective();
            var method = which switch { "lbfgs" or "lbfgs-noftol" => MinimizeMethod.Lbfgs, "newton" => MinimizeMethod.Newton, _ => MinimizeMethod.NewtonCg };
            var r = f.Minimize(p.Start, new MinimizeOptions { Method = method, FunctionTolerance = which.EndsWith("noftol") ? 0 : 2.2e-9 });
            var all = new[] { p.Minimum }.Concat(p.OtherMinima).Select(m => m.Value).ToArray();
            var mp = MinpackRun.ByNumber(p.Number);
            output.WriteLine($"{p.Number,2} {p.Name,-30} f={r.Value,-13:G6} f*={p.Minimum.Value,-11:G6} lm={mp.F,-11:G6} it={r.Iterations,5} fev={r.FunctionEvaluations,6} hev={r.HessianEvaluations,6} {r.Status} {r.Message}");
        }
    }
}
