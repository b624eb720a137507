using SymbolicGrad.Optimizers;
using SymbolicGrad.Samples.OptimizerRace;

namespace SymbolicGrad.Samples.Tests;

public class OptimizerRaceTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(OptimizerRaceSample.Run, "OptimizerRace"));

    [Fact]
    public void TheCoursesHaveTheirKnownMinima()
    {
        foreach (var course in OptimizerRaceSample.Courses)
        {
            var g = new double[2];
            Assert.Equal(0, course.Function.ValueAndGradient(course.Minimum, g), 12);
            Assert.Equal(0, g[0], 10);
            Assert.Equal(0, g[1], 10);
        }
    }

    [Fact]
    public void LbfgsArrivesAndTheFirstOrderRacersStayStable()
    {
        foreach (var course in OptimizerRaceSample.Courses)
        {
            var walks = OptimizerRaceSample.Race(course, 600);
            Assert.All(walks, w => Assert.False(w.Diverged, $"{w.Label} diverged on {course.Name}"));
            Assert.All(walks, w => Assert.True(w.FinalLoss < w.Losses[0], $"{w.Label} did not go down on {course.Name}"));
            var lbfgs = walks[^1];
            Assert.True(lbfgs.FinalLoss < 1e-10, $"L-BFGS ended at {lbfgs.FinalLoss} on {course.Name}");
            var minimize = new Lbfgs(maxIterations: 1000, lineSearch: LineSearch.StrongWolfe, toleranceGrad: 1e-10, toleranceChange: 1e-14).Minimize(course.Function, course.Start);
            Assert.Equal(minimize.Parameters[0], lbfgs.Final[0], 1e-6);
            Assert.Equal(minimize.Parameters[1], lbfgs.Final[1], 1e-6);
        }
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "rosenbrock-race", "beale-race");
        foreach (var name in new[] { "rosenbrock-race", "beale-race" })
        {
            SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, name + ".svg"), "SGD, η = 0.001", "RMSprop, η = 0.001", "L-BFGS (strong Wolfe)", "f (log scale)");
        }

        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "rosenbrock-race.svg"), "momentum 0.9, η = 0.001", "Nesterov 0.9, η = 0.001", "Adam, η = 0.02");
        Assert.Contains("L-BFGS (strong Wolfe)", Output.Value.Output, StringComparison.Ordinal);
    }
}
