using System.Diagnostics;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples;

/// <summary>
/// A walk through parameter space: every point visited (the start first), the full loss there, and what it cost.
/// </summary>
/// <param name="Label">What walked (for legends and tables).</param>
/// <param name="Points">The parameters before each step, the start first; the last is where the walk ended.</param>
/// <param name="Losses">The full loss at each point.</param>
/// <param name="GradientEvaluations">Example gradients evaluated (a full-batch step over n examples counts n).</param>
/// <param name="Elapsed">Time spent computing gradients and stepping (the monitoring of the full loss is not counted).</param>
/// <param name="Diverged">The loss left the finite range or grew 10⁴-fold above its best and its first value (the Trainer's rule).</param>
/// <param name="StepsToTarget">The number of steps after which the loss first reached the target, or null.</param>
/// <param name="EvaluationsToTarget">Gradient evaluations spent by then, or null.</param>
/// <param name="TimeToTarget">Time spent by then, or null.</param>
public sealed record Trajectory(
    string Label,
    IReadOnlyList<double[]> Points,
    IReadOnlyList<double> Losses,
    long GradientEvaluations,
    TimeSpan Elapsed,
    bool Diverged,
    int? StepsToTarget = null,
    long? EvaluationsToTarget = null,
    TimeSpan? TimeToTarget = null)
{
    /// <summary>Steps taken (points − 1).</summary>
    public int Steps => Points.Count - 1;

    /// <summary>Where the walk ended.</summary>
    public double[] Final => Points[^1];

    /// <summary>The loss where the walk ended.</summary>
    public double FinalLoss => Losses[^1];
}

/// <summary>
/// Walks optimizers step by step and keeps the path. <see cref="Trainer"/> does the same loops but reports losses, not
/// the parameters after every step; the pictures need the parameters, so these loops call <see cref="Optimizer.Step"/>
/// themselves, in the Trainer's order (shuffle per epoch with a seeded <see cref="Random"/>, mean gradient of a batch,
/// schedule applied before the update). The samples' tests check that a walk ends where the Trainer ends.
/// </summary>
public static class Walk
{
    /// <summary>The Trainer's divergence factor: a loss 10⁴ times above its best (and above its first value) has diverged.</summary>
    public const double DivergenceFactor = 1e4;

    /// <summary>
    /// Full-batch descent on one objective: evaluate the gradient, step, repeat, for <paramref name="maxSteps"/>
    /// steps or until the loss reaches <paramref name="target"/> (when <paramref name="stopAtTarget"/>) or diverges.
    /// </summary>
    public static Trajectory Descend(
        DifferentiableFunction f,
        ReadOnlySpan<double> start,
        Optimizer optimizer,
        int maxSteps,
        string label,
        double? target = null,
        bool stopAtTarget = false,
        Schedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(optimizer);
        CheckStart(start, f.Dimension, label);
        var data = TrainingData.FromFunction(f);
        return Batches(data, start, optimizer, batchSize: 1, maxSteps, label, seed: null, fullLoss: p => f.Value(p), target, stopAtTarget, schedule);
    }

    /// <summary>
    /// Mini-batch descent over <paramref name="data"/>: each epoch visits the examples in an order shuffled by a
    /// <see cref="Random"/> seeded once with <paramref name="seed"/> (null: in order), in batches of
    /// <paramref name="batchSize"/> (the last may be smaller); each step uses the batch's mean gradient.
    /// </summary>
    /// <param name="data">The examples.</param>
    /// <param name="start">Where to start.</param>
    /// <param name="optimizer">The optimizer (stepped in place; pass a fresh one).</param>
    /// <param name="batchSize">Examples per step; <see cref="TrainingData.Count"/> or more is full-batch descent.</param>
    /// <param name="maxSteps">The step budget.</param>
    /// <param name="label">The walk's name.</param>
    /// <param name="seed">The shuffle seed, or null to visit the examples in order.</param>
    /// <param name="fullLoss">The loss over all the data at a point, for the path's record (not timed).</param>
    /// <param name="target">A loss to reach.</param>
    /// <param name="stopAtTarget">Stop once the target is reached.</param>
    /// <param name="schedule">A learning-rate schedule applied before each step.</param>
    public static Trajectory Batches(
        TrainingData data,
        ReadOnlySpan<double> start,
        Optimizer optimizer,
        int batchSize,
        int maxSteps,
        string label,
        int? seed,
        Func<double[], double> fullLoss,
        double? target = null,
        bool stopAtTarget = false,
        Schedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(fullLoss);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSteps);
        CheckStart(start, data.Dimension, label);

        int n = data.Count, dim = data.Dimension;
        batchSize = Math.Min(batchSize, n);
        var order = Enumerable.Range(0, n).ToArray();
        var random = seed is int s ? new Random(s) : null;
        var x = start.ToArray();
        var gradient = new double[dim];
        var example = new double[dim];
        var points = new List<double[]> { (double[])x.Clone() };
        double first = fullLoss(x);
        var losses = new List<double> { first };
        double best = first;
        long evaluations = 0;
        var clock = new Stopwatch();
        bool diverged = !double.IsFinite(first);
        int? stepsToTarget = target is double t0 && first <= t0 ? 0 : null;
        long? evaluationsToTarget = stepsToTarget is null ? null : 0;
        TimeSpan? timeToTarget = stepsToTarget is null ? null : TimeSpan.Zero;
        int position = n; // the next example in the epoch's order; n: start a new epoch

        for (int step = 0; step < maxSteps && !diverged && !(stopAtTarget && stepsToTarget is not null); step++)
        {
            clock.Start();
            if (position >= n)
            {
                random?.Shuffle(order);
                position = 0;
            }

            int count = Math.Min(batchSize, n - position);
            Array.Clear(gradient);
            for (int k = position; k < position + count; k++)
            {
                data.Loss(x, order[k], example);
                for (int i = 0; i < dim; i++)
                {
                    gradient[i] += example[i];
                }
            }

            for (int i = 0; i < dim; i++)
            {
                gradient[i] /= count;
            }

            position += count;
            evaluations += count;
            schedule?.Apply(optimizer);
            optimizer.Step(x, gradient);
            clock.Stop();

            double loss = fullLoss(x);
            points.Add((double[])x.Clone());
            losses.Add(loss);
            if (!double.IsFinite(loss) || !x.All(double.IsFinite)
                || (loss > best + (DivergenceFactor - 1) * Math.Abs(best) && loss > first))
            {
                diverged = true;
            }

            best = Math.Min(best, loss);
            if (stepsToTarget is null && target is double t && loss <= t)
            {
                stepsToTarget = step + 1;
                evaluationsToTarget = evaluations;
                timeToTarget = clock.Elapsed;
            }
        }

        return new Trajectory(label, points, losses, evaluations, clock.Elapsed, diverged, stepsToTarget, evaluationsToTarget, timeToTarget);
    }

    /// <summary>
    /// L-BFGS (strong-Wolfe line search), one iteration per call of <see cref="Lbfgs.Step"/> so that every iterate is
    /// kept; the history carries over between calls. Each call evaluates at its start point, which a single
    /// <see cref="Lbfgs.Minimize(DifferentiableFunction, ReadOnlySpan{double})"/> would not: compare evaluation counts with Minimize.
    /// </summary>
    public static Trajectory Lbfgs(DifferentiableFunction f, ReadOnlySpan<double> start, int maxIterations, string label)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckStart(start, f.Dimension, label);
        var lbfgs = new Lbfgs(maxIterations: 1, lineSearch: LineSearch.StrongWolfe, toleranceGrad: 1e-10, toleranceChange: 1e-14);
        var x = start.ToArray();
        var points = new List<double[]> { (double[])x.Clone() };
        var losses = new List<double> { f.Value(x) };
        var clock = Stopwatch.StartNew();
        var function = f.AsValueAndGradient();
        for (int k = 0; k < maxIterations; k++)
        {
            lbfgs.Step(x, function);
            if (lbfgs.LastStopReason != StopReason.MaxSteps)
            {
                break; // converged (gradient or change tolerance) or diverged: x did not move
            }

            points.Add((double[])x.Clone());
            losses.Add(f.Value(x));
        }

        clock.Stop();
        bool diverged = !double.IsFinite(losses[^1]);
        return new Trajectory(label, points, losses, lbfgs.Evaluations, clock.Elapsed, diverged);
    }

    private static void CheckStart(ReadOnlySpan<double> start, int dimension, string label)
    {
        if (start.Length != dimension)
        {
            throw new ArgumentException($"The walk '{label}' starts at a point of length {start.Length}; the loss takes {dimension} parameters.", nameof(start));
        }

        foreach (double v in start)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"The walk '{label}' starts at a point that is not finite.", nameof(start));
            }
        }
    }
}
