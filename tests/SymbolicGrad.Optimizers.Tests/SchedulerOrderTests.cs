namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// The schedule call order: <see cref="LearningRateScheduler"/> (PyTorch's order, misuse throws), <see cref="Schedule.Apply(Optimizer)"/>
/// before each step, and <see cref="Trainer"/> give the same updates; per-epoch schedules; state.
/// </summary>
public class SchedulerOrderTests
{
    private static readonly DifferentiableFunction Bowl = TestFunctions.AsFunction(2, TestFunctions.Bowl, "bowl");

    [Fact]
    public void TheSchedulerSetsTheFirstRateWhenCreatedAndStepsAfterTheOptimizer()
    {
        var sgd = new Sgd(learningRate: 1.0);
        var schedule = Schedule.LinearWarmup(0.1, warmupSteps: 4);
        var scheduler = new LearningRateScheduler(sgd, schedule);
        Assert.Equal(0.01, sgd.LearningRate, 15); // PyTorch's constructor sets the rate of epoch 0
        Assert.Equal(0, scheduler.Epoch);

        double[] x = [1.0, 1.0], g = new double[2];
        var used = new List<double>();
        for (int k = 0; k < 8; k++)
        {
            Bowl.ValueAndGradient(x, g);
            used.Add(sgd.LearningRate);
            sgd.Step(x, g);
            scheduler.Step();
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(k => schedule.LearningRate(k)), used);
        Assert.Equal(8, scheduler.Epoch);
        Assert.Equal(0.1, scheduler.LearningRate, 15);
    }

    [Fact]
    public void SteppingTheSchedulerInTheWrongOrderThrowsAndChangesNothing()
    {
        var adam = new Adam(0.1);
        var scheduler = new LearningRateScheduler(adam, Schedule.StepDecay(0.1, stepSize: 1, gamma: 0.5));
        var before = Assert.Throws<InvalidOperationException>(scheduler.Step);
        Assert.Contains("before the optimizer's first Step()", before.Message);
        Assert.Equal(0, scheduler.Epoch);
        Assert.Equal(0.1, adam.LearningRate);

        adam.Step(new double[2], [1.0, 1.0]);
        scheduler.Step();
        var twice = Assert.Throws<InvalidOperationException>(scheduler.Step);
        Assert.Contains("no optimizer step since the last one", twice.Message);
        Assert.Equal(1, scheduler.Epoch);
        Assert.Equal(0.05, adam.LearningRate);
    }

    [Fact]
    public void SchedulerApplyBeforeStepAndTrainerTakeTheSameSteps()
    {
        var schedule = Schedule.Sequence([Schedule.LinearWarmup(0.2, 5), Schedule.CosineAnnealing(0.2, tMax: 20)], [5]);
        const int steps = 25;
        double[] start = [3.0, -2.0];

        // 1. PyTorch's order with the bound scheduler.
        var a = new Sgd(0.2, momentum: 0.9);
        var scheduler = new LearningRateScheduler(a, schedule);
        double[] x = (double[])start.Clone(), g = new double[2];
        for (int k = 0; k < steps; k++)
        {
            Bowl.ValueAndGradient(x, g);
            a.Step(x, g);
            scheduler.Step();
        }

        // 2. Apply before each step.
        var b = new Sgd(0.2, momentum: 0.9);
        double[] y = (double[])start.Clone();
        for (int k = 0; k < steps; k++)
        {
            Bowl.ValueAndGradient(y, g);
            schedule.Apply(b);
            b.Step(y, g);
        }

        // 3. The training loop.
        var result = Trainer.Minimize(Bowl, start, new Sgd(0.2, momentum: 0.9),
            new TrainingOptions { MaxEpochs = steps, Schedule = schedule, DivergenceFactor = double.PositiveInfinity });

        Assert.Equal(steps, result.Steps);
        Assert.Equal(y, x);
        Assert.Equal(y, result.Parameters);

        // The misuse the order guards against: Apply after each step runs the first update at the optimizer's own rate.
        var c = new Sgd(0.2, momentum: 0.9);
        double[] z = (double[])start.Clone();
        for (int k = 0; k < steps; k++)
        {
            Bowl.ValueAndGradient(z, g);
            c.Step(z, g);
            schedule.Apply(c);
        }

        Assert.NotEqual(y, z);
    }

    [Fact]
    public void PerEpochSchedulersStepOncePerEpoch()
    {
        var adam = new Adam(0.1, groups: [new(..1), new(1.., learningRate: 0.4)]);
        var scheduler = new LearningRateScheduler(adam, Schedule.StepDecay(0.1, stepSize: 2, gamma: 0.5));
        double[] x = [1.0, 1.0], g = new double[2];
        for (int epoch = 0; epoch < 6; epoch++)
        {
            double factor = Math.Pow(0.5, epoch / 2);
            for (int batch = 0; batch < 3; batch++)
            {
                Assert.Equal(0.1 * factor, adam.Groups[0].LearningRate, 15);
                Assert.Equal(0.4 * factor, adam.Groups[1].LearningRate, 15);
                Bowl.ValueAndGradient(x, g);
                adam.Step(x, g);
            }

            scheduler.Step();
        }

        Assert.Equal(18, adam.StepCount);
    }

    [Fact]
    public void SavedOptimizerAndSchedulerContinueBitForBit()
    {
        static (Adam, LearningRateScheduler) Create()
        {
            var adam = new Adam(0.1, groups: [new(..1, beta1: 0.8), new(1.., learningRate: 0.3)]);
            return (adam, new LearningRateScheduler(adam, Schedule.Cyclic(0.01, 0.2, stepSizeUp: 3)));
        }

        static void Run(Adam adam, LearningRateScheduler scheduler, double[] x, int steps)
        {
            double[] g = new double[2];
            for (int k = 0; k < steps; k++)
            {
                TestFunctions.Rosenbrock(x, g);
                adam.Step(x, g);
                scheduler.Step();
            }
        }

        var (a, sa) = Create();
        double[] x = [-1.2, 1.0];
        Run(a, sa, x, 20);

        var (b, sb) = Create();
        double[] y = [-1.2, 1.0];
        Run(b, sb, y, 7);
        byte[] optimizerState = b.SaveState().ToBytes(), schedulerState = sb.SaveState().ToBytes();

        var (c, sc) = Create();
        c.RestoreState(OptimizerState.FromBytes(optimizerState));
        sc.RestoreState(OptimizerState.FromBytes(schedulerState));
        Assert.Equal(7, sc.Epoch);
        Run(c, sc, y, 13);
        Assert.Equal(x.Select(BitConverter.DoubleToInt64Bits), y.Select(BitConverter.DoubleToInt64Bits));

        Assert.Contains("Adam", Assert.Throws<ArgumentException>(() => sc.RestoreState(c.SaveState())).Message);
    }

    [Fact]
    public void FractionalEpochsNeedAClosedForm()
    {
        var sgd = new Sgd(momentum: 0.9);
        var oneCycle = new LearningRateScheduler(sgd, Schedule.OneCycle(0.1, totalSteps: 10));
        sgd.Step(new double[1], [1.0]);
        Assert.Throws<NotSupportedException>(() => oneCycle.Step(0.5));
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => oneCycle.Step(-1)).ParamName);
        oneCycle.Step(3); // whole epochs are fine
        Assert.Equal(Schedule.OneCycle(0.1, totalSteps: 10).LearningRate(3), sgd.LearningRate);
        Assert.Throws<InvalidOperationException>(() => new LearningRateScheduler(new AdaGrad(), Schedule.OneCycle(0.1, 10)));
    }

    [Fact]
    public void TrainerCanCountTheScheduleInEpochs()
    {
        var data = TrainingData.FromExamples(Enumerable.Range(0, 6).Select(_ => Bowl));
        List<double> Rates(ScheduleUnit unit)
        {
            var rates = new List<double>();
            Trainer.Train(data, [1.0, 1.0], new Sgd(), new TrainingOptions
            {
                Batching = Batching.MiniBatch(2),
                MaxEpochs = 3,
                Schedule = Schedule.StepDecay(1e-3, stepSize: 1, gamma: 0.5),
                ScheduleUnit = unit,
                ProgressInterval = 1,
                Progress = p => rates.Add(p.LearningRate),
            });
            return rates;
        }

        // Three batches per epoch.
        Assert.Equal([1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 2.5e-4, 2.5e-4, 2.5e-4], Rates(ScheduleUnit.Epoch));
        Assert.Equal(Enumerable.Range(0, 9).Select(k => 1e-3 * Math.Pow(0.5, k)), Rates(ScheduleUnit.Step));
    }

    [Fact]
    public void TrainerPlateauReductionScalesGroupsWithTheirOwnRate()
    {
        // f = x0² + x1² with rate 1 on x0: x0 flips sign every step, so the loss never improves and the reducer halves.
        var sgd = new Sgd(1.0, groups: [new(..1), new(1.., learningRate: 0.25)]);
        var reducer = new ReduceLearningRateOnPlateau(1.0, factor: 0.5, patience: 1);
        var sphere = TestFunctions.AsFunction(2, (x, g) => { g[0] = 2 * x[0]; g[1] = 2 * x[1]; return x[0] * x[0] + x[1] * x[1]; }, "sphere");
        Trainer.Minimize(sphere, [1.0, 0.0], sgd, new TrainingOptions { MaxEpochs = 6, ReduceOnPlateau = reducer, DivergenceFactor = double.PositiveInfinity });
        Assert.True(reducer.LearningRate < 1.0, "the reducer should have reduced the rate");
        Assert.Equal(reducer.LearningRate, sgd.LearningRate);
        Assert.Equal(0.25 * reducer.LearningRate, sgd.Groups[1].LearningRate, 15);
    }
}
