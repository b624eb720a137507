using SymbolicGrad.Optimizers;
using SymbolicGrad.TestProblems;
using Xunit.Abstractions;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>Levenberg–Marquardt on the Moré–Garbow–Hillstrom problems, against MINPACK's lmder (recorded by bench/minpack/compare.py).</summary>
public class LevenbergMarquardtMghTests(ITestOutputHelper output)
{
    [Fact]
    public void Table()
    {
        foreach (var p in Mgh.All)
        {
            var reference = MinpackRun.ByNumber(p.Number);
            var result = new LevenbergMarquardt().Minimize(p.LeastSquares(), p.Start);
            output.WriteLine($"{p.Number,2} {p.Name,-52} f={result.SumOfSquares,-14:G6} minpack={reference.F,-14:G6} nfev {result.Evaluations,4}/{reference.Evaluations,4} njev {result.JacobianEvaluations,4}/{reference.JacobianEvaluations,4} {result.Status}");
        }
    }
}
