namespace SymbolicGrad.Optimizers.Tests;

/// <summary>Schedules against their closed forms (hand-computed values) and the plateau reducer's rule.</summary>
public class ScheduleTests
{
    [Fact]
    public void StepDecay()
    {
        var s = Schedule.StepDecay(0.1, stepSize: 3, gamma: 0.5);
        Assert.Equal(0.1, s.LearningRate(0));
        Assert.Equal(0.1, s.LearningRate(2));
        Assert.Equal(0.05, s.LearningRate(3));
        Assert.Equal(0.025, s.LearningRate(7));
        Assert.Equal(0.0125, s.LearningRate(9));
    }

    [Fact]
    public void Exponential()
    {
        var s = Schedule.Exponential(2.0, gamma: 0.9);
        Assert.Equal(2.0, s.LearningRate(0));
        Assert.Equal(1.458, s.LearningRate(3), 14);
    }

    [Fact]
    public void CosineAnnealingHasNoRestartsAndNoClamping()
    {
        var s = Schedule.CosineAnnealing(1.0, tMax: 10, etaMin: 0.1);
        Assert.Equal(1.0, s.LearningRate(0), 15);
        Assert.Equal(0.55, s.LearningRate(5), 15);
        Assert.Equal(0.1, s.LearningRate(10), 15);
        Assert.Equal(0.55, s.LearningRate(15), 14); // rises again past T_max
        Assert.Equal(1.0, s.LearningRate(20), 15);
        // (1 + cos(π/10))/2 = 0.975528258147577 (hand-evaluated)
        Assert.Equal(0.1 + 0.9 * 0.975528258147577, s.LearningRate(1), 14);
    }

    [Fact]
    public void CosineWarmRestarts()
    {
        var s = Schedule.CosineWarmRestarts(1.0, t0: 2, tMult: 2);
        // Periods of 2, 4, 8 steps start at steps 0, 2, 6, 14.
        Assert.Equal(1.0, s.LearningRate(0), 15);
        Assert.Equal(0.5, s.LearningRate(1), 15);
        Assert.Equal(1.0, s.LearningRate(2), 15);
        Assert.Equal(0.5, s.LearningRate(4), 15);
        Assert.Equal(1.0, s.LearningRate(6), 15);
        Assert.Equal(0.5, s.LearningRate(10), 15);
        Assert.Equal(1.0, s.LearningRate(14), 15);

        var constantPeriod = Schedule.CosineWarmRestarts(1.0, t0: 5, etaMin: 0.2);
        // step 7: T_cur = 2 of 5; (1 + cos(2π/5))/2 = 0.654508497187474
        Assert.Equal(0.2 + 0.8 * 0.654508497187474, constantPeriod.LearningRate(7), 14);
        Assert.Equal(1.0, constantPeriod.LearningRate(10), 15);
    }

    [Fact]
    public void LinearWarmupAndComposition()
    {
        var linear = Schedule.Linear(1.0);
        Assert.Equal(1.0 / 3, linear.LearningRate(0), 15);
        Assert.Equal(1.0 / 3 + 2.0 / 3 * 3 / 5, linear.LearningRate(3), 15);
        Assert.Equal(1.0, linear.LearningRate(5), 15);
        Assert.Equal(1.0, linear.LearningRate(50), 15);

        var warmupThenCosine = Schedule.LinearWarmup(0.5, warmupSteps: 4, startFactor: 0.1)
            .Then(Schedule.CosineAnnealing(0.5, tMax: 10), milestone: 4);
        Assert.Equal(0.05, warmupThenCosine.LearningRate(0), 15);
        Assert.Equal(0.05 + 0.45 * 2 / 4, warmupThenCosine.LearningRate(2), 15);
        Assert.Equal(0.5, warmupThenCosine.LearningRate(4), 15);   // cosine starts afresh at its step 0
        Assert.Equal(0.25, warmupThenCosine.LearningRate(9), 15);  // cosine step 5 of 10
        Assert.Equal(0.0, warmupThenCosine.LearningRate(14), 15);
    }

    [Fact]
    public void OneCycleTwoPhases()
    {
        var s = Schedule.OneCycle(1.0, totalSteps: 100);
        // initial = 1/25 = 0.04, min = 0.04/1e4 = 4e-6; phase 1 ends at step 29, phase 2 at 99.
        Assert.Equal(0.04, s.LearningRate(0), 15);
        Assert.Equal(0.95, s.Momentum(0)!.Value, 15);
        Assert.Equal(1.0, s.LearningRate(29), 15);
        Assert.Equal(0.85, s.Momentum(29)!.Value, 15);
        Assert.Equal(4e-6 + (1 - 4e-6) / 2, s.LearningRate(64), 14); // pct = 35/70 = ½
        Assert.Equal(0.9, s.Momentum(64)!.Value, 14);
        Assert.Equal(4e-6, s.LearningRate(99), 15);
        Assert.Equal(0.95, s.Momentum(99)!.Value, 15);
        // cos anneal at pct = 10/29 in phase 1: 1 + (0.04 − 1)/2·(1 + cos(π·10/29))
        Assert.Equal(1 + (0.04 - 1) / 2 * (1 + Math.Cos(Math.PI * 10 / 29)), s.LearningRate(10), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.LearningRate(101));
    }

    [Fact]
    public void OneCycleThreePhasesLinear()
    {
        var s = Schedule.OneCycle(1.0, totalSteps: 100, annealStrategy: AnnealStrategy.Linear, threePhase: true);
        // phases end at 29, 58, 99
        Assert.Equal(0.04 + 0.96 * 10 / 29, s.LearningRate(10), 14);
        Assert.Equal(1.0, s.LearningRate(29), 15);
        Assert.Equal(0.04, s.LearningRate(58), 15);
        Assert.Equal(0.95, s.Momentum(58)!.Value, 15);
        Assert.Equal(4e-6, s.LearningRate(99), 15);
        Assert.Equal(0.95, s.Momentum(80)!.Value, 15); // third phase holds max momentum
    }

    [Fact]
    public void OneCycleCyclesBeta1OfAdamAndMomentumOfSgd()
    {
        var adam = new Adam();
        var s = Schedule.OneCycle(0.01, totalSteps: 10);
        s.Apply(adam);
        Assert.Equal(0.95, adam.Beta1, 15); // PyTorch: β1 becomes max_momentum at construction
        Assert.Equal(0.0004, adam.LearningRate, 15);

        var sgd = new Sgd(momentum: 0.9);
        s.Apply(sgd);
        Assert.Equal(0.95, sgd.Momentum, 15);

        Assert.Throws<InvalidOperationException>(() => s.Apply(new AdaGrad()));
        Schedule.OneCycle(0.01, totalSteps: 10, cycleMomentum: false).Apply(new AdaGrad());
    }

    [Fact]
    public void ApplyUsesTheOptimizersStepCount()
    {
        var sgd = new Sgd();
        var s = Schedule.StepDecay(1.0, stepSize: 2);
        double[] p = [0.0];
        double[] seen = new double[5];
        for (int k = 0; k < 5; k++)
        {
            s.Apply(sgd);
            seen[k] = sgd.LearningRate;
            sgd.Step(p, [1.0]);
        }

        Assert.Equal([1.0, 1.0, 0.1, 0.1, 0.010000000000000002], seen);
    }

    [Fact]
    public void ReduceOnPlateauReducesAtThePatiencePlusFirstBadReport()
    {
        var r = new ReduceLearningRateOnPlateau(1.0, factor: 0.5, patience: 2);
        Assert.Equal(1.0, r.Report(1.0));  // improvement over +∞
        Assert.Equal(1.0, r.Report(1.0));  // bad 1
        Assert.Equal(1.0, r.Report(0.99995)); // within the 1e-4 relative threshold: bad 2
        Assert.Equal(0.5, r.Report(1.0));  // bad 3 > patience
        Assert.Equal(0, r.BadReports);
        Assert.Equal(0.5, r.Report(0.5));  // improvement
    }

    [Fact]
    public void ReduceOnPlateauCooldownMinimumAndMaxMode()
    {
        var r = new ReduceLearningRateOnPlateau(1.0, goal: MetricGoal.Maximize, factor: 0.1, patience: 0,
            thresholdMode: ThresholdMode.Absolute, threshold: 0.5, cooldown: 1, minLearningRate: 0.05);
        Assert.Equal(1.0, r.Report(1.0));    // better than −∞
        Assert.Equal(0.1, r.Report(1.4));    // not better by 0.5: bad 1 > 0 → reduce, cooldown 1
        Assert.Equal(0.1, r.Report(1.2));    // bad, but cooldown zeroes it
        Assert.Equal(0.05, r.Report(1.2));   // bad 1 → max(0.01, 0.05)
        Assert.Equal(0.05, r.Report(1.6));   // better by > 0.5
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        Assert.Equal("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.StepDecay(1, 0)).ParamName);
        Assert.Equal("tMax", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.CosineAnnealing(1, 0)).ParamName);
        Assert.Equal("tMult", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.CosineWarmRestarts(1, 2, 0)).ParamName);
        Assert.Equal("startFactor", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Linear(1, startFactor: 0)).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Constant(1).LearningRate(-1)).ParamName);
    }
}
