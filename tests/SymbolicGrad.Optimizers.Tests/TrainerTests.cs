namespace SymbolicGrad.Optimizers.Tests;

/// <summary>The training loop on data: batching, shuffling, means, stopping rules, determinism, progress.</summary>
public class TrainerTests
{
    // y = 2x − 1 + noise; model ŷ = w·x + b; per-example loss ½(ŷ − y)².
    private static (double[] X, double[] Y) Line(int n, int seed = 7)
    {
        var random = new Random(seed);
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = random.NextDouble() * 4 - 2;
            y[i] = 2 * x[i] - 1 + 0.1 * (random.NextDouble() - 0.5);
        }

        return (x, y);
    }

    private static TrainingData LineData(double[] x, double[] y) =>
        TrainingData.FromLoss(x.Length, 2, (p, i, g) =>
        {
            double r = p[0] * x[i] + p[1] - y[i];
            g[0] = r * x[i];
            g[1] = r;
            return 0.5 * r * r;
        });

    [Fact]
    public void FullBatchStepUsesTheMeanGradient()
    {
        var (x, y) = Line(10);
        var result = Trainer.Train(LineData(x, y), [0.5, 0.5], new Sgd(0.1), new TrainingOptions { MaxEpochs = 1 });
        // Hand computation of one gradient-descent step on the mean loss.
        double gw = 0, gb = 0, loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = 0.5 * x[i] + 0.5 - y[i];
            gw += r * x[i];
            gb += r;
            loss += 0.5 * r * r;
        }

        Assert.Equal(0.5 - 0.1 * gw / x.Length, result.Parameters[0], 14);
        Assert.Equal(0.5 - 0.1 * gb / x.Length, result.Parameters[1], 14);
        Assert.Equal(loss / x.Length, result.LossHistory[0], 14);
        Assert.Equal(1, result.Steps);
        Assert.Equal(StopReason.MaxEpochs, result.StopReason);
        Assert.Equal(20, result.GradientEvaluations); // one batch of 10 plus the final loss over 10
    }

    [Fact]
    public void StochasticWithoutShuffleVisitsExamplesInOrder()
    {
        var (x, y) = Line(5);
        var result = Trainer.Train(LineData(x, y), [0.0, 0.0], new Sgd(0.05),
            new TrainingOptions { Batching = Batching.Stochastic, ShuffleSeed = null, MaxEpochs = 2 });
        double w = 0, b = 0;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            for (int i = 0; i < 5; i++)
            {
                double r = w * x[i] + b - y[i];
                (w, b) = (w - 0.05 * r * x[i], b - 0.05 * r);
            }
        }

        Assert.Equal(w, result.Parameters[0], 14);
        Assert.Equal(b, result.Parameters[1], 14);
        Assert.Equal(10, result.Steps);
        Assert.Equal(2, result.EpochLosses.Count);
    }

    [Fact]
    public void DropLastAndBatchCounts()
    {
        var (x, y) = Line(10);
        var keep = Trainer.Train(LineData(x, y), [0.0, 0.0], new Sgd(0.01),
            new TrainingOptions { Batching = Batching.MiniBatch(4), MaxEpochs = 3 });
        var drop = Trainer.Train(LineData(x, y), [0.0, 0.0], new Sgd(0.01),
            new TrainingOptions { Batching = Batching.MiniBatch(4, dropLast: true), MaxEpochs = 3 });
        Assert.Equal(9, keep.Steps);
        Assert.Equal(6, drop.Steps);
        Assert.Equal(3 * 10 + 10, keep.GradientEvaluations);
        Assert.Equal(3 * 8 + 10, drop.GradientEvaluations);
    }

    [Fact]
    public void ShufflingIsSeeded()
    {
        var (x, y) = Line(50);
        OptimizationResult Run(int? seed) => Trainer.Train(LineData(x, y), [0.0, 0.0], new Sgd(0.05),
            new TrainingOptions { Batching = Batching.MiniBatch(8), ShuffleSeed = seed, MaxEpochs = 3 });
        Assert.Equal(Run(1).Parameters, Run(1).Parameters);
        Assert.NotEqual(Run(1).Parameters, Run(2).Parameters);
        Assert.NotEqual(Run(1).Parameters, Run(null).Parameters);
    }

    [Fact]
    public void MiniBatchTrainingFitsTheLine()
    {
        var (x, y) = Line(200);
        var result = Trainer.Train(LineData(x, y), [0.0, 0.0], new Adam(0.05),
            new TrainingOptions { Batching = Batching.MiniBatch(16), MaxEpochs = 60 });
        Assert.Equal(2.0, result.Parameters[0], 1);
        Assert.Equal(-1.0, result.Parameters[1], 1);
        Assert.True(result.Loss < 0.01, result.ToString());
    }

    [Fact]
    public void DataParallelResultIsTheSameForEveryThreadCount()
    {
        var (x, y) = Line(1000);
        // A non-linear per-example loss so that the order of summation matters in the last bits.
        var data = TrainingData.FromLoss(x.Length, 2, (p, i, g) =>
        {
            double r = Math.Tanh(p[0] * x[i]) + p[1] - y[i] / 3;
            double d = 1 - Math.Tanh(p[0] * x[i]) * Math.Tanh(p[0] * x[i]);
            g[0] = r * d * x[i];
            g[1] = r;
            return 0.5 * r * r;
        });
        OptimizationResult Run(int threads, Batching batching) => Trainer.Train(data, [0.1, 0.1], new Adam(0.01),
            new TrainingOptions { Batching = batching, MaxEpochs = 3, MaxDegreeOfParallelism = threads });
        foreach (var batching in new[] { Batching.MiniBatch(100), Batching.FullBatch, Batching.MiniBatch(7) })
        {
            var one = Run(1, batching);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                var many = Run(threads, batching);
                Assert.Equal(one.Parameters.Select(BitConverter.DoubleToInt64Bits), many.Parameters.Select(BitConverter.DoubleToInt64Bits));
                Assert.Equal(one.LossHistory, many.LossHistory);
            }
        }
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestParameters()
    {
        // Train on (w − 3)², validate on (w − 1)²: gradient descent at lr 0.1 gives w_k = 3 − 3·0.8^k, which passes
        // closest to 1 at k = 2 (w = 1.08); after that the validation loss only grows.
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        var result = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions
        {
            MaxEpochs = 100,
            EarlyStopping = new EarlyStopping(p => (p[0] - 1) * (p[0] - 1), Patience: 3),
        });
        Assert.Equal(StopReason.EarlyStopped, result.StopReason);
        Assert.Equal(1.08, result.Parameters[0], 12);
        Assert.Equal(5, result.Steps); // best at 2, then 3 epochs without improvement
        Assert.Equal(6, result.ValueEvaluations); // the start and five epochs
        Assert.Equal((1.08 - 3) * (1.08 - 3), result.Loss, 12);
    }

    [Fact]
    public void EarlyStoppingWithAValidationLossThatIsNaNAtTheStartStillKeepsTheBestTrainedParameters()
    {
        // The validation loss (w − 1)²·w/w is NaN at the start w = 0 only. NaN was taken as the best loss so far, no later
        // loss compared below it, and after 3 epochs the run stopped and returned w = 0, the untrained start, as the best.
        // The run is the one above: w_k = 3 − 3·0.8^k passes closest to 1 at k = 2 (w = 1.08).
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        var result = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions
        {
            MaxEpochs = 100,
            EarlyStopping = new EarlyStopping(p => (p[0] - 1) * (p[0] - 1) * p[0] / p[0], Patience: 3),
        });
        Assert.Equal(StopReason.EarlyStopped, result.StopReason);
        Assert.Equal(1.08, result.Parameters[0], 12);
        Assert.Equal(5, result.Steps);
    }

    [Fact]
    public void PlateauStopsTheRun()
    {
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        var result = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions
        {
            MaxEpochs = 10_000,
            Plateau = new PlateauStopping(Patience: 5, MinDelta: 1e-6),
        });
        Assert.Equal(StopReason.Plateau, result.StopReason);
        Assert.True(result.Steps < 200, result.ToString());
        Assert.True(result.Loss < 1e-5);
    }

    [Fact]
    public void GradientToleranceAndMaxStepsStopTheRun()
    {
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        var tolerance = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions { MaxEpochs = 10_000, GradientTolerance = 1e-8 });
        Assert.Equal(StopReason.GradientTolerance, tolerance.StopReason);
        Assert.True(tolerance.Converged);
        Assert.True(Math.Abs(2 * (tolerance.Parameters[0] - 3)) <= 1e-8);

        var capped = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions { MaxEpochs = 10_000, MaxSteps = 7 });
        Assert.Equal(StopReason.MaxSteps, capped.StopReason);
        Assert.Equal(7, capped.Steps);
        Assert.Equal(3 - 3 * Math.Pow(0.8, 7), capped.Parameters[0], 12);
    }

    [Fact]
    public void NonFiniteLossStopsWithTheLastFiniteParameters()
    {
        // f(x) = x − log x, minimum at 1; it is NaN for x < 0.
        var bad = new DifferentiableFunction(1, p => p[0] - Math.Log(p[0]), (p, g) =>
        {
            g[0] = 1 - 1 / p[0];
            return p[0] - Math.Log(p[0]);
        });
        var diverged = Trainer.Minimize(bad, [2.0], new Sgd(20.0), new TrainingOptions { MaxEpochs = 100, DivergenceFactor = double.PositiveInfinity });
        // x₁ = 2 − 20·(1 − ½) = −8: log(−8) is NaN, so the run stops at x₀ = 2.
        Assert.Equal(StopReason.Diverged, diverged.StopReason);
        Assert.Equal([2.0], diverged.Parameters);
        Assert.Equal(2 - Math.Log(2), diverged.Loss, 15);
    }

    [Fact]
    public void ProgressIsReportedEveryNSteps()
    {
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        var seen = new List<TrainingProgress>();
        var result = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions
        {
            MaxEpochs = 25,
            ProgressInterval = 10,
            Progress = seen.Add,
        });
        Assert.Equal([10L, 20L, 25L], seen.Select(s => s.Step));
        Assert.Equal(0.1, seen[0].LearningRate);
        Assert.Equal(result.LossHistory[9], seen[0].Loss);
    }

    [Fact]
    public void ScheduleAndClippingAreApplied()
    {
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        // Gradient at 0 is −6, clipped to −1 by value; lr from the schedule is 0.5 at step 0: x₁ = 0.5.
        var result = Trainer.Minimize(f, [0.0], new Sgd(0.1), new TrainingOptions
        {
            MaxEpochs = 1,
            Clip = GradientClip.ByValue(1.0),
            Schedule = Schedule.Constant(0.5),
        });
        Assert.Equal(0.5, result.Parameters[0], 15);
    }

    [Fact]
    public void ReduceOnPlateauLowersTheRateWhenTheLossStalls()
    {
        // Constant loss: every epoch after the first is bad; with patience 1 the rate halves every second epoch.
        var flat = new DifferentiableFunction(1, _ => 1.0, (_, g) => { g[0] = 1e-3; return 1.0; });
        var sgd = new Sgd(1.0);
        var reducer = new ReduceLearningRateOnPlateau(1.0, factor: 0.5, patience: 1);
        Trainer.Minimize(flat, [0.0], sgd, new TrainingOptions { MaxEpochs = 5, ReduceOnPlateau = reducer });
        // Reports: better, bad 1, bad 2 → 0.5, bad 1, bad 2 → 0.25
        Assert.Equal(0.25, reducer.LearningRate);
        Assert.Equal(0.5, sgd.LearningRate); // the fifth step used the rate after the third report
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var f = TestFunctions.AsFunction(1, TestFunctions.Shifted, "(w-3)^2");
        Assert.Throws<ArgumentException>(() => Trainer.Minimize(f, [0.0, 1.0], new Sgd()));
        Assert.Throws<ArgumentException>(() => Trainer.Minimize(f, [double.NaN], new Sgd()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Minimize(f, [0.0], new Sgd(), new TrainingOptions { MaxEpochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Minimize(f, [0.0], new Sgd(), new TrainingOptions { DivergenceFactor = 1 }));
        Assert.Throws<ArgumentException>(() => Trainer.Minimize(f, [0.0], new Sgd(), new TrainingOptions
        {
            Schedule = Schedule.Constant(1),
            ReduceOnPlateau = new ReduceLearningRateOnPlateau(1),
        }));
        Assert.Throws<ArgumentException>(() => Trainer.Minimize(f, [0.0], new Sgd(), new TrainingOptions { Batching = Batching.MiniBatch(2, dropLast: true) }));
    }

    [Fact]
    public void TrainingOnGeneratedStyleObjectivesPerExample()
    {
        // The shape the generator emits: one DifferentiableFunction per example (data bound in).
        var (x, y) = Line(40);
        var examples = x.Zip(y, (xi, yi) => new DifferentiableFunction(2,
            p => 0.5 * Math.Pow(p[0] * xi + p[1] - yi, 2),
            (p, g) =>
            {
                double r = p[0] * xi + p[1] - yi;
                g[0] = r * xi;
                g[1] = r;
                return 0.5 * r * r;
            }));
        var result = Trainer.Train(TrainingData.FromExamples(examples), [0.0, 0.0], new Sgd(0.1, momentum: 0.9),
            new TrainingOptions { Batching = Batching.MiniBatch(8), MaxEpochs = 50 });
        Assert.Equal(2.0, result.Parameters[0], 1);
        Assert.Equal(-1.0, result.Parameters[1], 1);
    }
}
