using System.Collections.Concurrent;
using SymbolicGrad.Explorer.Landscapes;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Explorer.Labs;

/// <summary>A function wrapped so that every point it is evaluated at is recorded (consecutive repeats once): the path a minimizer walked.</summary>
internal sealed class PathRecorder
{
    private readonly List<double[]> _points = [];
    private readonly Lock _lock = new();

    public PathRecorder(DifferentiableFunction f) =>
        Function = new DifferentiableFunction(f.Dimension, f.AsValue(), (p, g) =>
        {
            Record(p);
            return f.ValueAndGradient(p, g);
        }, f.Name, f.ParameterNames, f.Derivatives);

    public DifferentiableFunction Function { get; }

    public double[][] Points
    {
        get
        {
            lock (_lock)
            {
                return _points.ToArray();
            }
        }
    }

    public void Record(ReadOnlySpan<double> p)
    {
        lock (_lock)
        {
            if (_points.Count == 0 || !p.SequenceEqual(_points[^1]))
            {
                _points.Add(p.ToArray());
            }
        }
    }
}

/// <summary>One run of the batching lab.</summary>
/// <param name="Name">Full batch, mini-batch or SGD.</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="StepLosses">The batch loss before each update.</param>
/// <param name="EpochLosses">The mean batch loss of each epoch.</param>
/// <param name="Path">(w, b) after each step (thinned to at most 1500 points).</param>
/// <param name="Parameters">The final (w, b).</param>
/// <param name="Loss">The mean loss over all the data at the end.</param>
/// <param name="Steps">Updates made.</param>
/// <param name="GradientEvaluations">Example gradients evaluated.</param>
/// <param name="StopReason">Why it stopped.</param>
public sealed record BatchRun(string Name, int BatchSize, double[] StepLosses, double[] EpochLosses, double[][] Path, double[] Parameters, double Loss, long Steps, long GradientEvaluations, string StopReason);

/// <summary>A start of the multi-start escape, and where it ended.</summary>
public sealed record MultiStartPath(double[] Start, double[] End, double Loss, double[][] Path, bool Best);

/// <summary>The two-valleys lab: plain descent and its escapes.</summary>
public sealed record ValleysResult(Walk[] Walks, MultiStartPath[] MultiStart);

/// <summary>The learning-rate finder lab.</summary>
public sealed record FinderResult(LearningRateFinderResult Finder, BatchRun[] Trials, double[] TrialRates);

/// <summary>The circuit lab: f = (x + y)·z forward, backward gate by gate, and the whole method's gradient.</summary>
public sealed record CircuitResult(
    double X, double Y, double Z, double Q, double F,
    double DfDq, double DfDz, double DqDx, double DqDy, double DfDx, double DfDy,
    double[] Whole, string[] GateDerivatives, string[] WholeDerivatives);

/// <summary>The server-side labs: everything numeric comes from the generated gradients and SymbolicGrad.Optimizers.</summary>
public static class Lab
{
    /// <summary>The regression data as one objective per example (generated <c>SquaredErrorObjective(x, y)</c>).</summary>
    public static TrainingData RegressionData { get; } =
        TrainingData.FromExamples(Regression.Xs.Zip(Regression.Ys, (x, y) => Regression.SquaredErrorObjective(x, y)));

    /// <summary>Trains the line with full batches, mini-batches of <paramref name="batchSize"/> and single examples.</summary>
    public static BatchRun[] Batching(OptimizerSpec spec, int epochs, int batchSize, int seed)
    {
        if (epochs < 1 || epochs > 200)
        {
            throw new ArgumentException($"epochs must be from 1 to 200, not {epochs}.", nameof(epochs));
        }

        if (batchSize < 2 || batchSize >= Regression.Count)
        {
            throw new ArgumentException($"The mini-batch size must be from 2 to {Regression.Count - 1}, not {batchSize}.", nameof(batchSize));
        }

        if (spec.IsLbfgs)
        {
            throw new ArgumentException("L-BFGS does not take batches; choose a first-order optimizer.", nameof(spec));
        }

        return
        [
            Train("Full batch", Optimizers.Batching.FullBatch, Regression.Count, spec, epochs, seed),
            Train($"Mini-batch ({batchSize})", Optimizers.Batching.MiniBatch(batchSize), batchSize, spec, epochs, seed),
            Train("SGD (1 example)", Optimizers.Batching.Stochastic, 1, spec, epochs, seed),
        ];
    }

    /// <summary>Plain descent in the shallow valley, and four escapes: noise, momentum, a schedule, multi-start.</summary>
    public static ValleysResult Valleys(double[] start, double learningRate, int steps, double noise, double momentum, int seed)
    {
        var land = LandscapeCatalog.Get("two-valleys");
        var f = land.Function;
        if (!(learningRate > 0 && learningRate <= 10) || !(noise >= 0 && noise <= 100) || !(momentum >= 0 && momentum < 1))
        {
            throw new ArgumentException("Use 0 < learning rate ≤ 10, 0 ≤ noise ≤ 100 and 0 ≤ momentum < 1.");
        }

        var walks = new[]
        {
            Walker.Run(f, start, new OptimizerSpec { Kind = "gd", LearningRate = learningRate, Label = "Gradient descent" }, steps),
            Walker.Run(f, start, new OptimizerSpec { Kind = "gd", LearningRate = learningRate, Label = $"Noisy gradients (σ = {noise:G3})" }, steps, gradientNoise: noise, seed: seed),
            Walker.Run(f, start, new OptimizerSpec { Kind = "momentum", LearningRate = learningRate, Momentum = momentum, Label = $"Momentum {momentum:G2}" }, steps),
            Walker.Run(f, start, new OptimizerSpec { Kind = "gd", LearningRate = learningRate * 8, Label = "Big steps, then small (cosine schedule)" }, steps,
                schedule: Schedule.CosineAnnealing(learningRate * 8, steps, learningRate / 10)),
        };

        var paths = new ConcurrentDictionary<(double, double), double[][]>();
        var multi = MultiStart.Minimize(f, [land.Box.X0, land.Box.Y0], [land.Box.X1, land.Box.Y1], starts: 8, seed: seed,
            localMinimizer: (fn, x0) =>
            {
                var recorder = new PathRecorder(fn);
                var r = Trainer.Minimize(recorder.Function, x0, new Sgd(learningRate), new TrainingOptions { MaxEpochs = steps, GradientTolerance = 1e-8 });
                paths[(x0[0], x0[1])] = recorder.Points;
                return r;
            },
            maxDegreeOfParallelism: 1);
        var starts = multi.StartingPoints.Select((p, k) => new MultiStartPath(
            p, multi.Results[k].Parameters, multi.Results[k].Loss, paths[(p[0], p[1])], k == multi.BestStart)).ToArray();
        return new ValleysResult(walks, starts);
    }

    /// <summary>The learning-rate range test on the regression data (mini-batches of 32), then 30 epochs at each of three rates.</summary>
    public static FinderResult Finder(OptimizerSpec spec, double minRate, double maxRate, int steps, int seed)
    {
        if (spec.IsLbfgs)
        {
            throw new ArgumentException("The range test drives a first-order optimizer; L-BFGS has its own line search.", nameof(spec));
        }

        if (steps < 10 || steps > 1000)
        {
            throw new ArgumentException($"steps must be from 10 to 1000, not {steps}.", nameof(steps));
        }

        var finder = LearningRateFinder.Run(RegressionData, [0.0, 0.0], spec.Create, minRate, maxRate, steps,
            Optimizers.Batching.MiniBatch(32), seed);
        double[] rates = [finder.SteepestLearningRate, finder.DecadeBelowExplosion, finder.ExplosionLearningRate ?? finder.LearningRates[^1]];
        var trials = rates.Select((rate, i) => Train(
            i switch { 0 => "steepest", 1 => "decade below explosion", _ => "explosion" },
            Optimizers.Batching.MiniBatch(32), 32, spec with { LearningRate = rate }, 30, seed)).ToArray();
        return new FinderResult(finder, trials, rates);
    }

    /// <summary>The circuit: forward through the gates, backward gate by gate with each gate's generated gradient, and the whole method's generated gradient.</summary>
    public static CircuitResult Circuit(double x, double y, double z)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(z))
        {
            throw new ArgumentException("x, y and z must be finite numbers.");
        }

        double q = Landscapes.Circuit.AddGradient(x, y, out double dqdx, out double dqdy);
        double f = Landscapes.Circuit.MultiplyGradient(q, z, out double dfdq, out double dfdz);
        Landscapes.Circuit.WholeGradient(x, y, z, out double dx, out double dy, out double dz);
        var gates = Landscapes.Circuit.AddObjective().Derivatives.Concat(Landscapes.Circuit.MultiplyObjective().Derivatives).ToArray();
        return new CircuitResult(x, y, z, q, f, dfdq, dfdz, dqdx, dqdy, dfdq * dqdx, dfdq * dqdy, [dx, dy, dz],
            gates, Landscapes.Circuit.WholeObjective().Derivatives.ToArray());
    }

    private static BatchRun Train(string name, Batching batching, int batchSize, OptimizerSpec spec, int epochs, int seed)
    {
        var recorder = new PathRecorder(new DifferentiableFunction(2, _ => 0, (_, _) => 0));
        var data = TrainingData.FromLoss(RegressionData.Count, 2, (p, i, g) =>
        {
            recorder.Record(p);
            return RegressionData.Loss(p, i, g);
        });
        var result = Trainer.Train(data, [0.0, 0.0], spec.Create(), new TrainingOptions
        {
            Batching = batching,
            MaxEpochs = epochs,
            ShuffleSeed = seed,
        });
        var path = recorder.Points;
        if (path.Length > 1500)
        {
            int every = (path.Length + 1499) / 1500;
            path = path.Where((_, i) => i % every == 0 || i == path.Length - 1).ToArray();
        }

        return new BatchRun(name, batchSize, result.LossHistory.ToArray(), result.EpochLosses.ToArray(), path, result.Parameters, result.Loss,
            result.Steps, result.GradientEvaluations, result.StopReason.ToString());
    }
}
