namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// Parameter groups: a group is PyTorch's param group, an independent copy of the update rule on its slice with its own
/// hyper-parameters and the shared step count. Checked against ungrouped optimizers on the slices (bit for bit) and against
/// the reference rules (to 1e-15), plus schedules per group, validation and state.
/// </summary>
public class ParameterGroupTests
{
    // ∇ of a coupled quadratic plus a sine on five coordinates: every slice's gradient depends on the whole vector.
    private static double[] Gradient(double[] p) =>
    [
        2 * (p[0] - 1) + 0.5 * p[1],
        6 * (p[1] + 2) + 0.5 * p[0] - 0.3 * p[4],
        p[2] + Math.Cos(p[2]) + 0.2 * p[3],
        4 * (p[3] - 0.5) + 0.2 * p[2],
        3 * p[4] - 0.3 * p[1],
    ];

    private static readonly double[] Start = [-1.2, 1.0, 0.5, 2.0, -0.7];

    /// <summary>A grouped optimizer and, per group, its range and an ungrouped optimizer with the group's values.</summary>
    private sealed record Case(Func<Optimizer> Grouped, (Range Range, Func<Optimizer> Alone)[] Slices);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Sgd"] = new(
            () => new Sgd(0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, groups:
                [new(0..2), new(2..4, learningRate: 0.01, momentum: 0.5), new(4..5, weightDecay: 0, momentum: 0)]),
            [
                (0..2, () => new Sgd(0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)),
                (2..4, () => new Sgd(0.01, momentum: 0.5, dampening: 0.1, weightDecay: 0.01)),
                (4..5, () => new Sgd(0.05, momentum: 0, dampening: 0.1, weightDecay: 0)),
            ]),
        ["Adam"] = new(
            () => new Adam(0.05, weightDecay: 0.01, amsgrad: true, groups:
                [new(0..1, beta1: 0.5, beta2: 0.9), new(1..4, learningRate: 0.1, epsilon: 1e-3), new(4..5, weightDecay: 0.2)]),
            [
                (0..1, () => new Adam(0.05, beta1: 0.5, beta2: 0.9, weightDecay: 0.01, amsgrad: true)),
                (1..4, () => new Adam(0.1, epsilon: 1e-3, weightDecay: 0.01, amsgrad: true)),
                (4..5, () => new Adam(0.05, weightDecay: 0.2, amsgrad: true)),
            ]),
        ["AdamW"] = new(
            () => new AdamW(0.05, groups: [new(0..3), new(3..5, learningRate: 0.2, weightDecay: 0)]),
            [(0..3, () => new AdamW(0.05)), (3..5, () => new AdamW(0.2, weightDecay: 0))]),
        ["RmsProp"] = new(
            () => new RmsProp(0.01, momentum: 0.5, centered: true, maximize: true, groups:
                [new(0..2, momentum: 0.9, epsilon: 1e-4), new(2..5, learningRate: 0.02, weightDecay: 0.1)]),
            [
                (0..2, () => new RmsProp(0.01, momentum: 0.9, epsilon: 1e-4, centered: true, maximize: true)),
                (2..5, () => new RmsProp(0.02, momentum: 0.5, weightDecay: 0.1, centered: true, maximize: true)),
            ]),
        ["AdaGrad"] = new(
            () => new AdaGrad(0.1, learningRateDecay: 0.1, initialAccumulatorValue: 0.1, groups:
                [new(0..4, epsilon: 1e-3), new(4..5, learningRate: 0.5, weightDecay: 0.3)]),
            [
                (0..4, () => new AdaGrad(0.1, learningRateDecay: 0.1, initialAccumulatorValue: 0.1, epsilon: 1e-3)),
                (4..5, () => new AdaGrad(0.5, learningRateDecay: 0.1, initialAccumulatorValue: 0.1, weightDecay: 0.3)),
            ]),
        ["AdaDelta"] = new(
            () => new AdaDelta(rho: 0.8, groups: [new(0..2, learningRate: 0.5), new(2..5, epsilon: 1e-3, weightDecay: 0.1)]),
            [(0..2, () => new AdaDelta(0.5, rho: 0.8)), (2..5, () => new AdaDelta(rho: 0.8, epsilon: 1e-3, weightDecay: 0.1))]),
        ["Adamax"] = new(
            () => new Adamax(0.05, groups: [new(0..2, beta1: 0.7), new(2..5, beta2: 0.9, learningRate: 0.01)]),
            [(0..2, () => new Adamax(0.05, beta1: 0.7)), (2..5, () => new Adamax(0.01, beta2: 0.9))]),
        ["NAdam"] = new(
            () => new NAdam(0.05, weightDecay: 0.1, decoupledWeightDecay: true, groups:
                [new(0..2, beta1: 0.8), new(2..5, learningRate: 0.01, weightDecay: 0.3)]),
            [
                (0..2, () => new NAdam(0.05, beta1: 0.8, weightDecay: 0.1, decoupledWeightDecay: true)),
                (2..5, () => new NAdam(0.01, weightDecay: 0.3, decoupledWeightDecay: true)),
            ]),
        ["RAdam"] = new(
            () => new RAdam(0.05, beta2: 0.8, groups: [new(0..3, beta2: 0.9), new(3..5, learningRate: 0.01, beta1: 0.5)]),
            [(0..3, () => new RAdam(0.05, beta2: 0.9)), (3..5, () => new RAdam(0.01, beta1: 0.5, beta2: 0.8))]),
        ["Lion"] = new(
            () => new Lion(0.1, groups: [new(0..2, beta1: 1.0), new(2..5, learningRate: 0.01, beta2: 0.5, weightDecay: 0.5)]),
            [(0..2, () => new Lion(0.1, beta1: 1.0)), (2..5, () => new Lion(0.01, beta2: 0.5, weightDecay: 0.5))]),
    };

    public static TheoryData<string> Names() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void EachGroupIsTheUngroupedOptimizerOnItsSliceBitForBit(string name)
    {
        var c = Cases[name];
        var grouped = c.Grouped();
        var alone = c.Slices.Select(s => (s.Range, Optimizer: s.Alone())).ToArray();
        double[] x = (double[])Start.Clone(), y = (double[])Start.Clone();
        for (int t = 1; t <= 15; t++)
        {
            grouped.Step(x, Gradient(x));
            double[] g = Gradient(y);
            foreach (var (range, optimizer) in alone)
            {
                var (offset, length) = range.GetOffsetAndLength(y.Length);
                optimizer.Step(y.AsSpan(offset, length), g.AsSpan(offset, length));
            }

            Assert.Equal(y.Select(BitConverter.DoubleToInt64Bits), x.Select(BitConverter.DoubleToInt64Bits));
        }

        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        Assert.All(Enumerable.Range(0, 5), i => Assert.NotEqual(Start[i], x[i]));
        Assert.Equal(15, grouped.StepCount);
        Assert.Equal(c.Slices.Length, grouped.Groups.Count);
    }

    public static TheoryData<string> ReferenceCases() => new(References.Keys);

    private static readonly Dictionary<string, (Func<Optimizer> Grouped, (Range Range, Func<ReferenceOptimizers.Rule> Rule)[] Slices)> References = new()
    {
        ["Sgd"] = (
            () => new Sgd(0.05, momentum: 0.9, groups: [new(0..2, weightDecay: 0.1), new(2..5, learningRate: 0.01, momentum: 0.5)]),
            [(0..2, () => ReferenceOptimizers.Sgd(0.05, mu: 0.9, wd: 0.1)), (2..5, () => ReferenceOptimizers.Sgd(0.01, mu: 0.5))]),
        ["Adam"] = (
            () => new Adam(0.05, groups: [new(0..3, beta1: 0.5, beta2: 0.9, epsilon: 1e-3), new(3..5, learningRate: 0.1, weightDecay: 0.1)]),
            [
                (0..3, () => ReferenceOptimizers.Adam(0.05, b1: 0.5, b2: 0.9, eps: 1e-3)),
                (3..5, () => ReferenceOptimizers.Adam(0.1, wd: 0.1)),
            ]),
        ["NAdam"] = (
            () => new NAdam(0.05, groups: [new(0..1, beta1: 0.6), new(1..5, learningRate: 0.02, weightDecay: 0.2)]),
            [(0..1, () => ReferenceOptimizers.NAdam(0.05, b1: 0.6)), (1..5, () => ReferenceOptimizers.NAdam(0.02, wd: 0.2))]),
        ["RAdam"] = (
            () => new RAdam(0.05, groups: [new(0..2, beta2: 0.8), new(2..5, learningRate: 0.02)]),
            [(0..2, () => ReferenceOptimizers.RAdam(0.05, b2: 0.8)), (2..5, () => ReferenceOptimizers.RAdam(0.02))]),
    };

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void GroupsMatchTheReferenceRulesOnTheirSlices(string name)
    {
        var (grouped, slices) = References[name];
        var optimizer = grouped();
        var rules = slices.Select(s => (s.Range, Rule: s.Rule())).ToArray();
        double[] x = (double[])Start.Clone(), expected = (double[])Start.Clone();
        for (int t = 1; t <= 10; t++)
        {
            optimizer.Step(x, Gradient(x));
            double[] g = Gradient(expected);
            foreach (var (range, rule) in rules)
            {
                var (offset, length) = range.GetOffsetAndLength(expected.Length);
                rule(expected[offset..(offset + length)], g[offset..(offset + length)], t).CopyTo(expected, offset);
            }

            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(x[i] - expected[i]) <= 1e-15 * Math.Max(1, Math.Abs(expected[i])),
                    $"{name}, step {t}, component {i}: got {x[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void RangesFromTheEndAreResolvedAtTheFirstStep()
    {
        var adam = new Adam(0.1, groups: [new(^2..), new(..^2, learningRate: 0.01)]);
        Assert.Equal(0, adam.Groups[0].Length);
        double[] x = [1.0, 1.0, 1.0, 1.0, 1.0];
        adam.Step(x, [1.0, 1.0, 1.0, 1.0, 1.0]);
        Assert.Equal((3, 2), (adam.Groups[0].Offset, adam.Groups[0].Length));
        Assert.Equal((0, 3), (adam.Groups[1].Offset, adam.Groups[1].Length));
        // The first Adam step is γ·g/(|g| + ε): 0.01 on the first three coordinates, 0.1 on the last two.
        Assert.Equal(1 - 0.01 / (1 + 1e-8), x[0], 15);
        Assert.Equal(1 - 0.1 / (1 + 1e-8), x[4], 15);
    }

    [Fact]
    public void BadGroupsAreRejectedEagerlyByName()
    {
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => new Adam(groups: [])).ParamName);
        Assert.Equal("groups[1]", Assert.Throws<ArgumentNullException>(() => new Adam(groups: [new(0..2), null!])).ParamName);
        var overlap = Assert.Throws<ArgumentException>(() => new Sgd(groups: [new(0..3), new(2..5)]));
        Assert.Contains("overlaps", overlap.Message);
        var gap = Assert.Throws<ArgumentException>(() => new Sgd(groups: [new(0..2), new(3..5)]));
        Assert.Contains("2..3", gap.Message);
        Assert.Contains("no group", gap.Message);
        Assert.Equal("groups[0]", Assert.Throws<ArgumentException>(() => new Sgd(groups: [new(2..2)])).ParamName);
        var noBeta = Assert.Throws<ArgumentException>(() => new AdaGrad(groups: [new(.., beta1: 0.5)]));
        Assert.Equal("groups[0].beta1", noBeta.ParamName);
        Assert.Contains("AdaGrad", noBeta.Message);
        Assert.Equal("groups[0].momentum", Assert.Throws<ArgumentException>(() => new Adam(groups: [new(.., momentum: 0.9)])).ParamName);
        Assert.Equal("groups[1].beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(groups: [new(..1), new(1.., beta1: 1.0)])).ParamName);
        Assert.Equal("groups[0].learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(groups: [new(.., learningRate: -1)])).ParamName);
        Assert.Equal("groups[0].weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Lion(groups: [new(.., weightDecay: double.NaN)])).ParamName);
        Assert.Equal("groups[0].momentum", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Sgd(momentum: 0.9, nesterov: true, groups: [new(.., momentum: 0)])).ParamName);
        _ = new Lion(groups: [new(.., beta1: 1.0, beta2: 1.0)]); // Lion allows β = 1
    }

    [Fact]
    public void GroupsThatDoNotFitTheVectorAreRejectedAtTheFirstStepAndNothingChanges()
    {
        var tail = new Adam(groups: [new(..2), new(2..4)]);
        var e = Assert.Throws<ArgumentException>(() => tail.Step(new double[5], new double[5]));
        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("4..5", e.Message);
        Assert.Equal(0, tail.Dimension);
        Assert.Equal(0, tail.StepCount);
        tail.Step(new double[4], new double[4]); // the right length still works

        var outside = new Sgd(groups: [new(0..3)]);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => outside.Step(new double[2], new double[2])).Message);

        var crossing = new Sgd(groups: [new(..3), new(^3..)]);
        Assert.Contains("overlaps", Assert.Throws<ArgumentException>(() => crossing.Step(new double[5], new double[5])).Message);
        crossing.Step(new double[6], new double[6]);
    }

    [Fact]
    public void AGroupRateCanBeChangedAndFollowsTheOptimizerOtherwise()
    {
        var sgd = new Sgd(0.1, groups: [new(..1), new(1.., learningRate: 0.01)]);
        Assert.False(sgd.Groups[0].HasOwnLearningRate);
        Assert.Equal(0.1, sgd.Groups[0].LearningRate);
        sgd.LearningRate = 0.2;
        Assert.Equal(0.2, sgd.Groups[0].LearningRate);  // follows
        Assert.Equal(0.01, sgd.Groups[1].LearningRate); // its own
        sgd.Groups[1].LearningRate = 0.03;
        double[] x = [1.0, 1.0];
        sgd.Step(x, [1.0, 1.0]);
        Assert.Equal(1 - 0.2, x[0], 15);
        Assert.Equal(1 - 0.03, x[1], 15);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => sgd.Groups[1].LearningRate = double.NaN).ParamName);

        // Without groups, the single group's rate is the optimizer's.
        var plain = new Adam(0.1);
        plain.Groups[0].LearningRate = 0.5;
        Assert.Equal(0.5, plain.LearningRate);
        Assert.False(plain.HasGroups);
    }

    [Fact]
    public void StateCarriesTheGroupsAndRefusesOtherGroups()
    {
        var adam = new Adam(0.05, groups: [new(..2, beta1: 0.5), new(2.., learningRate: 0.1)]);
        double[] x = (double[])Start.Clone();
        for (int k = 0; k < 4; k++)
        {
            adam.Step(x, Gradient(x));
        }

        adam.Groups[1].LearningRate = 0.07;
        var state = OptimizerState.FromBytes(adam.SaveState().ToBytes());
        Assert.Equal(2, state.Settings["groups"]);
        Assert.Equal(0.07, state.Scalars["group1.learning_rate"]);
        Assert.True(double.IsNaN(state.Scalars["group0.learning_rate"])); // follows the optimizer's
        Assert.Equal(0.5, state.Settings["group0.initial_beta1"]);

        var same = new Adam(0.05, groups: [new(..2, beta1: 0.5), new(2.., learningRate: 0.1)]);
        same.RestoreState(state);
        Assert.Equal(0.07, same.Groups[1].LearningRate);
        Assert.Equal((2, 3), (same.Groups[1].Offset, same.Groups[1].Length));

        var other = new Adam(0.05, groups: [new(..2, beta1: 0.6), new(2.., learningRate: 0.1)]);
        Assert.Contains("group0.initial_beta1", Assert.Throws<ArgumentException>(() => other.RestoreState(state)).Message);
        var split = new Adam(0.05, groups: [new(..3, beta1: 0.5), new(3.., learningRate: 0.1)]);
        Assert.Contains("group0.end", Assert.Throws<ArgumentException>(() => split.RestoreState(state)).Message);
        var ungrouped = new Adam(0.05);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => ungrouped.RestoreState(state)).Message);
        Assert.Equal(0, ungrouped.StepCount);
    }

    [Fact]
    public void SchedulesScaleEachGroupFromItsOwnRate()
    {
        // PyTorch: every group's rate is the scheduler's formula with that group's initial_lr as base.
        var sgd = new Sgd(0.1, groups: [new(0..2), new(2..4, learningRate: 0.01)]);
        var cosine = Schedule.CosineAnnealing(0.1, tMax: 10, etaMin: 0.001);
        double[] x = [1.0, 1.0, 1.0, 1.0];
        for (int k = 0; k < 12; k++)
        {
            cosine.Apply(sgd);
            double c = (1 + Math.Cos(Math.PI * k / 10)) / 2;
            Assert.Equal(0.001 + (0.1 - 0.001) * c, sgd.Groups[0].LearningRate, 15);
            Assert.Equal(0.001 + (0.01 - 0.001) * c, sgd.Groups[1].LearningRate, 15);
            sgd.Step(x, [1.0, 1.0, 1.0, 1.0]);
        }

        // Absolute schedules give every group the same rate (PyTorch with a scalar max_lr).
        var oneCycle = Schedule.OneCycle(1.0, totalSteps: 20);
        oneCycle.Apply(sgd, 5);
        Assert.Equal(oneCycle.LearningRate(5), sgd.Groups[0].LearningRate);
        Assert.Equal(oneCycle.LearningRate(5), sgd.Groups[1].LearningRate);
    }

    [Fact]
    public void CycledMomentumReachesGroupsWithTheirOwnBeta1()
    {
        // After a one-cycle schedule sets β1, no group keeps its own: the grouped Adam (own β1 in group 1, no other
        // override) then takes exactly the steps of an ungrouped Adam under the same schedule.
        var grouped = new Adam(groups: [new(..2), new(2.., beta1: 0.5)]);
        var plain = new Adam();
        var schedule = Schedule.OneCycle(0.1, totalSteps: 30);
        double[] x = (double[])Start.Clone(), y = (double[])Start.Clone();
        for (int k = 0; k < 30; k++)
        {
            schedule.Apply(grouped);
            schedule.Apply(plain);
            grouped.Step(x, Gradient(x));
            plain.Step(y, Gradient(y));
        }

        Assert.Equal(y, x);
        Assert.True(double.IsNaN(grouped.SaveState().Scalars["group1.beta1"]));
    }

    [Fact]
    public void ScheduledGroupedStepsAllocateNothing()
    {
        var adam = new AdamW(0.1, groups: [new(..2), new(2.., learningRate: 0.01, beta1: 0.5)]);
        var schedule = Schedule.Chain(Schedule.LinearWarmup(0.1, 10), Schedule.Exponential(0.1, 0.99));
        var scheduler = new LearningRateScheduler(new Sgd(0.1, momentum: 0.9, groups: [new(..1), new(1.., learningRate: 0.5)]),
            Schedule.CosineWarmRestarts(0.1, t0: 5));
        double[] p = [0.3, -0.2, 0.1, 0.4], g = [0.5, -1.0, 2.0, 0.25];
        schedule.Apply(adam);
        adam.Step(p, g);
        scheduler.Optimizer.Step(p, g);
        scheduler.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 100; k++)
        {
            schedule.Apply(adam);
            adam.Step(p, g);
            scheduler.Optimizer.Step(p, g);
            scheduler.Step(k + 1.5);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
