namespace SymbolicGrad.Optimizers.Tests;

/// <summary>Every optimizer converges on (x − 3)², w² + 4b² and Rosenbrock; plain gradient descent at lr 0.3 on w² + 4b² diverges.</summary>
public class ConvergenceTests
{
    public static TheoryData<string> Names() => new(Setups.Keys);

    // Learning rate and steps per problem; schedule for Lion, whose steps all have length γ.
    private static readonly Dictionary<string, (Func<double, Optimizer> Create, double Lr, double RosenbrockLr, int RosenbrockSteps)> Setups = new()
    {
        ["Sgd"] = (lr => new Sgd(lr, momentum: 0.9), 0.05, 5e-4, 20000),
        ["Sgd nesterov"] = (lr => new Sgd(lr, momentum: 0.9, nesterov: true), 0.05, 5e-4, 20000),
        ["Adam"] = (lr => new Adam(lr), 0.1, 0.02, 20000),
        ["AdamW"] = (lr => new AdamW(lr, weightDecay: 0), 0.1, 0.02, 20000),
        ["RmsProp"] = (lr => new RmsProp(lr), 0.01, 1e-3, 20000),
        ["AdaGrad"] = (lr => new AdaGrad(lr), 0.5, 0.5, 20000),
        ["AdaDelta"] = (lr => new AdaDelta(lr), 20.0, 5.0, 20000),
        ["Adamax"] = (lr => new Adamax(lr), 0.1, 0.02, 20000),
        ["NAdam"] = (lr => new NAdam(lr), 0.1, 0.02, 20000),
        // RAdam's first five steps are un-adapted momentum SGD (γ·m̂), so on Rosenbrock it needs a small rate.
        ["RAdam"] = (lr => new RAdam(lr), 0.1, 2e-3, 20000),
        ["Lion"] = (lr => new Lion(lr, weightDecay: 0), 0.1, 0.01, 20000),
    };

    private static OptimizationResult Run(string name, DifferentiableFunction f, double[] start, double lr, int steps)
    {
        var setup = Setups[name];
        var options = new TrainingOptions
        {
            MaxEpochs = steps,
            GradientTolerance = 1e-10,
            // Schedule everything with a cosine decay to a tenth: harmless for the adaptive methods, needed for Lion.
            Schedule = Schedule.CosineAnnealing(lr, tMax: steps, etaMin: lr / 100),
        };
        return Trainer.Minimize(f, start, setup.Create(lr), options);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ConvergesOnShiftedParabola(string name)
    {
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(x-3)^2");
        var result = Run(name, f, [0.0], Setups[name].Lr, 3000);
        Assert.NotEqual(StopReason.Diverged, result.StopReason);
        Assert.True(Math.Abs(result.Parameters[0] - 3) < 1e-3, $"{name}: x = {result.Parameters[0]} ({result})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ConvergesOnBowl(string name)
    {
        var f = TestFunctions.AsFunction(2, TestFunctions.Bowl, "w^2+4b^2");
        var result = Run(name, f, [1.0, -1.0], Setups[name].Lr, 3000);
        Assert.NotEqual(StopReason.Diverged, result.StopReason);
        Assert.True(Math.Abs(result.Parameters[0]) < 1e-3 && Math.Abs(result.Parameters[1]) < 1e-3,
            $"{name}: ({result.Parameters[0]}, {result.Parameters[1]}) ({result})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ConvergesOnRosenbrock(string name)
    {
        var f = TestFunctions.AsFunction(2, TestFunctions.Rosenbrock, "rosenbrock");
        var setup = Setups[name];
        var result = Run(name, f, [-1.2, 1.0], setup.RosenbrockLr, setup.RosenbrockSteps);
        Assert.NotEqual(StopReason.Diverged, result.StopReason);
        double distance = TestFunctions.DistanceToOnes(result.Parameters);
        Assert.True(distance < 2e-2, $"{name}: ‖x − 1‖ = {distance} at ({result.Parameters[0]}, {result.Parameters[1]}) ({result})");
    }

    [Fact]
    public void GradientDescentAtLearningRateThreeTenthsDivergesOnBowl()
    {
        // b ← b − 0.3·8b = −1.4b: |b| grows by 1.4 per step and the loss by 1.96.
        var f = TestFunctions.AsFunction(2, TestFunctions.Bowl, "w^2+4b^2");
        var result = Trainer.Minimize(f, [1.0, 1.0], new Sgd(learningRate: 0.3), new TrainingOptions { MaxEpochs = 10_000 });
        Assert.Equal(StopReason.Diverged, result.StopReason);
        Assert.All(result.Parameters, x => Assert.True(double.IsFinite(x)));
        Assert.True(double.IsFinite(result.Loss));
        Assert.True(result.Steps < 100, $"took {result.Steps} steps to notice");
        // The loss history grows: each recorded loss is larger than the first.
        Assert.True(result.LossHistory[^1] > 100 * result.LossHistory[0]);
        // The returned parameters are the last ones whose loss was finite and within the factor: b = (−1.4)^k.
        double b = result.Parameters[1];
        Assert.Equal(Math.Pow(1.4, Math.Round(Math.Log(Math.Abs(b)) / Math.Log(1.4))), Math.Abs(b), 9);
    }

    [Fact]
    public void GradientDescentAtLearningRateThreeTenthsDivergesToNaNWithoutTheGrowthTest()
    {
        var f = TestFunctions.AsFunction(2, TestFunctions.Bowl, "w^2+4b^2");
        var result = Trainer.Minimize(f, [1.0, 1.0], new Sgd(learningRate: 0.3),
            new TrainingOptions { MaxEpochs = 100_000, DivergenceFactor = double.PositiveInfinity });
        Assert.Equal(StopReason.Diverged, result.StopReason);
        Assert.All(result.Parameters, x => Assert.True(double.IsFinite(x)));
        Assert.True(double.IsFinite(result.Loss));
        Assert.True(result.Steps > 500); // it ran until the numbers overflowed
    }
}
