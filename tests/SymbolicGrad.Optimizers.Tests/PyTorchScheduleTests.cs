using static SymbolicGrad.Optimizers.Tests.TorchSchedulers;

namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// The closed-form schedules against PyTorch's recursive schedulers (<see cref="TorchSchedulers"/>), for two parameter
/// groups (initial rates 0.05 and 0.2), epoch by epoch; and the new schedules against values derived by hand.
/// </summary>
public class PyTorchScheduleTests
{
    private const double Base = 0.05, Second = 0.2;

    public static TheoryData<string> Cases() => new(Table.Keys);

    private static readonly Dictionary<string, (Schedule Ours, Func<Group[], Scheduler> Torch, int Epochs)> Table = new()
    {
        ["StepLR"] = (Schedule.StepDecay(Base, 3, 0.5), g => new StepLR(g, 3, 0.5), 30),
        ["MultiStepLR with a repeated milestone"] = (Schedule.MultiStep(Base, [9, 2, 5, 5], 0.3), g => new MultiStepLR(g, [2, 5, 5, 9], 0.3), 20),
        ["MultiStepLR milestone 0"] = (Schedule.MultiStep(Base, [0, 4]), g => new MultiStepLR(g, [0, 4]), 10),
        ["ConstantLR defaults"] = (Schedule.ConstantFactor(Base), g => new ConstantLR(g), 12),
        ["ConstantLR 0.25 for 4"] = (Schedule.ConstantFactor(Base, 0.25, 4), g => new ConstantLR(g, 0.25, 4), 12),
        ["LinearLR"] = (Schedule.Linear(Base, 0.1, 0.9, 7), g => new LinearLR(g, 0.1, 0.9, 7), 15),
        ["ExponentialLR"] = (Schedule.Exponential(Base, 0.93), g => new ExponentialLR(g, 0.93), 40),
        ["PolynomialLR power 0.9"] = (Schedule.Polynomial(Base, 10, 0.9), g => new PolynomialLR(g, 10, 0.9), 15),
        ["PolynomialLR power 2"] = (Schedule.Polynomial(Base, 6, 2), g => new PolynomialLR(g, 6, 2), 10),
        ["CosineAnnealingLR past T_max"] = (Schedule.CosineAnnealing(Base, 8, 0.001), g => new CosineAnnealingLR(g, 8, 0.001), 40),
        ["CosineAnnealingWarmRestarts"] = (Schedule.CosineWarmRestarts(Base, 3, 2, 0.01), g => new WarmRestarts(g, 3, 2, 0.01), 50),
        ["CosineAnnealingWarmRestarts T_mult 1"] = (Schedule.CosineWarmRestarts(Base, 4), g => new WarmRestarts(g, 4), 20),
        ["ChainedScheduler (PyTorch's example)"] = (
            Schedule.Chain(Schedule.ConstantFactor(Base, 0.1, 20), Schedule.Exponential(Base, 0.9)),
            g => Chain(new ConstantLR(g, 0.1, 20), new ExponentialLR(g, 0.9)), 30),
        ["ChainedScheduler of four"] = (
            Schedule.Chain(Schedule.Linear(Base, 0.2, 1, 5), Schedule.StepDecay(Base, 4, 0.7), Schedule.MultiStep(Base, [3, 11], 0.5),
                Schedule.Polynomial(Base, 30, 0.5)),
            g => Chain(new LinearLR(g, 0.2, 1, 5), new StepLR(g, 4, 0.7), new MultiStepLR(g, [3, 11], 0.5), new PolynomialLR(g, 30, 0.5)), 35),
        ["ChainedScheduler cosine (η_min 0, up to T_max) and exponential"] = (
            Schedule.Chain(Schedule.CosineAnnealing(Base, 12), Schedule.Exponential(Base, 0.95)),
            g => Chain(new CosineAnnealingLR(g, 12), new ExponentialLR(g, 0.95)), 12),
        ["SequentialLR (PyTorch's example)"] = (
            Schedule.Sequence([Schedule.ConstantFactor(Base, 0.1, 20), Schedule.Exponential(Base, 0.9)], [20]),
            g => Sequence(g, [new ConstantLR(g, 0.1, 20), new ExponentialLR(g, 0.9)], [20]), 30),
        ["SequentialLR of three"] = (
            Schedule.Sequence([Schedule.LinearWarmup(Base, 4), Schedule.CosineAnnealing(Base, 10, 0.002), Schedule.StepDecay(Base, 2, 0.5)], [4, 14]),
            g => Sequence(g, [new LinearLR(g, 0.1, 1, 4), new CosineAnnealingLR(g, 10, 0.002), new StepLR(g, 2, 0.5)], [4, 14]), 24),
    };

    /// <summary>A torch "scheduler" that is a chain: the members' constructors already ran their initial steps.</summary>
    private static Scheduler Chain(params Scheduler[] members) => new ChainAdapter(members);

    private static Scheduler Sequence(Group[] groups, Scheduler[] members, int[] milestones) =>
        new SequenceAdapter(groups, new Sequential(groups, members, milestones));

    private sealed class ChainAdapter(Scheduler[] members) : Scheduler(members[0].Groups)
    {
        private readonly Chained _chain = new(members);

        public override void Step() => _chain.Step();

        protected override double[] GetLr() => throw new InvalidOperationException();
    }

    private sealed class SequenceAdapter(Group[] groups, Sequential sequential) : Scheduler(groups)
    {
        public override void Step() => sequential.Step();

        protected override double[] GetLr() => throw new InvalidOperationException();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClosedFormsMatchPyTorchsRecursiveSchedulersPerGroup(string name)
    {
        var (ours, torch, epochs) = Table[name];
        Group[] groups = [new(Base), new(Second)];
        var reference = torch(groups);
        var optimizer = new Sgd(Base, groups: [new(..1), new(1.., learningRate: Second)]);
        var seen = new HashSet<double>();
        for (int e = 0; e <= epochs; e++)
        {
            if (e > 0)
            {
                reference.Step();
            }

            ours.Apply(optimizer, e);
            for (int i = 0; i < 2; i++)
            {
                double expected = groups[i].Lr, actual = optimizer.Groups[i].LearningRate;
                Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Abs(expected) + 1e-18,
                    $"{name}, epoch {e}, group {i}: closed form {actual:R}, PyTorch's recursion {expected:R}");
            }

            seen.Add(optimizer.LearningRate);
        }

        Assert.True(seen.Count > 1, "the schedule never moved the rate");
    }

    [Theory]
    [InlineData("triangular", CyclicMode.Triangular, 4, null)]
    [InlineData("triangular2", CyclicMode.Triangular2, 3, 5)]
    [InlineData("exp_range", CyclicMode.ExpRange, 5, 2)]
    public void CyclicMatchesPyTorchsCyclicLRWithMomentum(string mode, CyclicMode ourMode, int up, int? down)
    {
        Group[] groups = [new(Base), new(Second)];
        var reference = new CyclicLR(groups, 0.01, 0.1, up, down, mode, gamma: 0.97);
        var schedule = Schedule.Cyclic(0.01, 0.1, up, down, ourMode, gamma: 0.97);
        var sgd = new Sgd(Base, momentum: 0.5, groups: [new(..1), new(1.., learningRate: Second)]);
        for (int e = 0; e <= 40; e++)
        {
            if (e > 0)
            {
                reference.Step();
            }

            schedule.Apply(sgd, e);
            Assert.Equal(groups[0].Lr, sgd.Groups[0].LearningRate, 15);
            Assert.Equal(groups[1].Lr, sgd.Groups[1].LearningRate, 15); // absolute rates: the same for every group
            Assert.Equal(groups[0].Momentum, sgd.Momentum, 15);
        }
    }

    [Fact]
    public void CyclicIsATriangleWave()
    {
        // Derived from the geometry, not from PyTorch's formula: position p = s mod (up + down); the rate rises by
        // (max − base)/up per step for p ≤ up, then falls by (max − base)/down per step.
        var s = Schedule.Cyclic(0.1, 1.1, stepSizeUp: 2, stepSizeDown: 6);
        for (int step = 0; step < 40; step++)
        {
            int p = step % 8;
            double triangle = p <= 2 ? p / 2.0 : (8 - p) / 6.0;
            Assert.Equal(0.1 + 1.0 * triangle, s.LearningRate(step), 14);
            Assert.Equal(0.9 - 0.1 * triangle, s.Momentum(step)!.Value, 14);
        }

        var halving = Schedule.Cyclic(0.0, 1.0, stepSizeUp: 2, mode: CyclicMode.Triangular2, cycleMomentum: false);
        Assert.Equal(1.0, halving.LearningRate(2));   // first peak
        Assert.Equal(0.5, halving.LearningRate(6));   // second peak, half the amplitude
        Assert.Equal(0.25, halving.LearningRate(10)); // third
        Assert.Null(halving.Momentum(2));
        var exp = Schedule.Cyclic(0.0, 1.0, stepSizeUp: 2, mode: CyclicMode.ExpRange, gamma: 0.5);
        Assert.Equal(0.25, exp.LearningRate(2), 15);        // the triangle's peak (1) at step 2, scaled by γ² = 0.25 (per iteration)
        var custom = Schedule.Cyclic(0.0, 1.0, stepSizeUp: 1, scaleFunction: c => 1 / c);
        Assert.Equal(1.0 / 3, custom.LearningRate(5), 15); // cycle 3 peak
        Assert.Throws<InvalidOperationException>(() => Schedule.Cyclic(0.01, 0.1).Apply(new AdaGrad()));
        Schedule.Cyclic(0.01, 0.1, cycleMomentum: false).Apply(new AdaGrad());
    }

    [Fact]
    public void NewSchedulesAgainstHandValues()
    {
        // MultiStepLR, PyTorch's docstring: 0.05 before 30, 0.005 before 80, 0.0005 after.
        var multi = Schedule.MultiStep(0.05, [30, 80]);
        Assert.Equal(0.05, multi.LearningRate(29));
        Assert.Equal(0.005, multi.LearningRate(30), 15);
        Assert.Equal(0.005, multi.LearningRate(79), 15);
        Assert.Equal(0.0005, multi.LearningRate(80), 15);
        // ConstantLR, PyTorch's docstring: factor 0.5 for 40 epochs.
        var constant = Schedule.ConstantFactor(0.05, factor: 0.5, totalIters: 40);
        Assert.Equal(0.025, constant.LearningRate(0));
        Assert.Equal(0.025, constant.LearningRate(39));
        Assert.Equal(0.05, constant.LearningRate(40));
        // PolynomialLR with power 1 is a straight line to 0 at totalIters.
        var poly = Schedule.Polynomial(1.0, totalIters: 4);
        Assert.Equal([1.0, 0.75, 0.5, 0.25, 0.0, 0.0], Enumerable.Range(0, 6).Select(k => poly.LearningRate(k)));
        // LambdaLR: base·factor(s), and per group from the group's rate.
        var lambda = Schedule.Lambda(0.1, s => 1.0 / (s + 1));
        Assert.Equal(0.025, lambda.LearningRate(3), 15);
        Assert.Equal(0.5, lambda.LearningRate(1, baseLearningRate: 1.0));
        // A sequence evaluates each member from its own start.
        var seq = Schedule.Sequence([Schedule.Constant(1), Schedule.Exponential(1, 0.5), Schedule.Constant(3)], [2, 5]);
        Assert.Equal([1.0, 1.0, 1.0, 0.5, 0.25, 3.0], Enumerable.Range(0, 6).Select(k => seq.LearningRate(k)));
    }

    [Fact]
    public void FractionalStepsOfWarmRestartsFollowPyTorchsStepEpoch()
    {
        // T_mult = 1, T_0 = 5: epoch 7.5 is T_cur = 2.5 of 5.
        var flat = Schedule.CosineWarmRestarts(1.0, t0: 5, etaMin: 0.2);
        Assert.True(flat.SupportsFractionalSteps);
        Assert.Equal(0.2 + 0.8 * (1 + Math.Cos(Math.PI * 2.5 / 5)) / 2, flat.LearningRateAt(7.5), 15);
        // T_0 = 2, T_mult = 2: periods [0, 2), [2, 6), [6, 14); epoch 4.5 is T_cur = 2.5 of T_i = 4.
        var growing = Schedule.CosineWarmRestarts(1.0, t0: 2, tMult: 2);
        Assert.Equal((1 + Math.Cos(Math.PI * 2.5 / 4)) / 2, growing.LearningRateAt(4.5), 15);
        Assert.Equal((1 + Math.Cos(Math.PI * 0.25 / 2)) / 2, growing.LearningRateAt(0.25), 15);
        Assert.Equal((1 + Math.Cos(Math.PI * 7.75 / 8)) / 2, growing.LearningRateAt(13.75), 15);
        // At whole epochs the fractional form is the step form.
        for (int k = 0; k < 30; k++)
        {
            Assert.Equal(growing.LearningRate(k), growing.LearningRateAt(k), 15);
        }

        // Against the PyTorch re-statement, on the documented recipe scheduler.step(epoch + i / iters), for both groups.
        Group[] groups = [new(Base), new(Second)];
        var reference = new WarmRestarts(groups, t0: 3, tMult: 2, etaMin: 0.001);
        var sgd = new Sgd(Base, groups: [new(..1), new(1.., learningRate: Second)]);
        var scheduler = new LearningRateScheduler(sgd, Schedule.CosineWarmRestarts(Base, t0: 3, tMult: 2, etaMin: 0.001));
        const int iters = 7;
        double[] x = [1.0, 1.0];
        for (int epoch = 0; epoch < 12; epoch++)
        {
            for (int i = 0; i < iters; i++)
            {
                sgd.Step(x, [0.0, 0.0]);
                reference.Step(epoch + (double)i / iters);
                scheduler.Step(epoch + (double)i / iters);
                Assert.Equal(groups[0].Lr, sgd.Groups[0].LearningRate, 15);
                Assert.Equal(groups[1].Lr, sgd.Groups[1].LearningRate, 15);
            }
        }
    }

    [Fact]
    public void OnlyClosedFormsTakeFractionalSteps()
    {
        Assert.Throws<NotSupportedException>(() => Schedule.OneCycle(1, 10).LearningRateAt(0.5));
        Assert.Throws<NotSupportedException>(() => Schedule.FromFunction(s => 1.0 / (s + 1)).LearningRateAt(0.5));
        Assert.True(Schedule.Chain(Schedule.Exponential(1, 0.5), Schedule.CosineAnnealing(1, 4)).SupportsFractionalSteps);
        Assert.Equal(Math.Pow(0.5, 1.5), Schedule.Exponential(1, 0.5).LearningRateAt(1.5), 15);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Exponential(1, 0.5).LearningRateAt(double.NaN)).ParamName);
    }

    [Fact]
    public void ChainAndSequenceRejectWhatTheyCannotCompose()
    {
        Assert.Equal("schedules", Assert.Throws<ArgumentException>(() => Schedule.Chain()).ParamName);
        Assert.Contains("base rate", Assert.Throws<ArgumentException>(() => Schedule.Chain(Schedule.OneCycle(1, 10))).Message);
        Assert.Contains("base", Assert.Throws<ArgumentException>(
            () => Schedule.Chain(Schedule.Exponential(0.1, 0.9), Schedule.StepDecay(0.2, 3))).Message);
        Assert.Equal("milestones", Assert.Throws<ArgumentException>(
            () => Schedule.Sequence([Schedule.Constant(1), Schedule.Constant(2)], [])).ParamName);
        Assert.Equal("milestones", Assert.Throws<ArgumentException>(
            () => Schedule.Sequence([Schedule.Constant(1), Schedule.Constant(2), Schedule.Constant(3)], [5, 5])).ParamName);
    }

    [Fact]
    public void NewSchedulesRejectBadArgumentsByName()
    {
        Assert.Equal("milestones", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.MultiStep(1, [-1, 3])).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.ConstantFactor(1, factor: 1.5)).ParamName);
        Assert.Equal("totalIters", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Polynomial(1, totalIters: 0)).ParamName);
        Assert.Equal("power", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Polynomial(1, power: -1)).ParamName);
        Assert.Equal("stepSizeUp", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cyclic(0.1, 1, stepSizeUp: 0)).ParamName);
        Assert.Equal("stepSizeDown", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cyclic(0.1, 1, stepSizeDown: 0)).ParamName);
        Assert.Equal("maxLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cyclic(0.1, -1)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cyclic(0.1, 1, mode: (CyclicMode)7)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentNullException>(() => Schedule.Lambda(1, null!)).ParamName);
    }

    /// <summary>
    /// A Lambda schedule whose factor turns NaN at step 3 (red-team L, stop 35): the optimizer's own check threw
    /// "LearningRate must be a finite number ≥ 0" from the middle of the run, naming neither the schedule nor the step.
    /// Apply now names both, and leaves the optimizer's rate as it was.
    /// </summary>
    [Fact]
    public void AScheduleThatGivesABadRateIsNamedWithItsStep()
    {
        var schedule = Schedule.Lambda(0.1, s => s < 3 ? 1 : double.NaN);
        var sgd = new Sgd(0.1);
        schedule.Apply(sgd, 2);
        Assert.Equal(0.1, sgd.LearningRate);
        var e = Assert.Throws<InvalidOperationException>(() => schedule.Apply(sgd, 3));
        Assert.Contains("lambda", e.Message, StringComparison.Ordinal);
        Assert.Contains("after step 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(0.1, sgd.LearningRate);
        Assert.Throws<InvalidOperationException>(() => Schedule.FromFunction(s => -1.0, "negative").Apply(sgd, 0));
    }
}
