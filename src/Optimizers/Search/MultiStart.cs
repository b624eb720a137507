namespace SymbolicGrad.Optimizers;

/// <summary>The outcome of <see cref="MultiStart.Minimize"/>.</summary>
/// <param name="Best">The run with the lowest finite loss (ties: the lowest start index).</param>
/// <param name="BestStart">The index of that run.</param>
/// <param name="StartingPoints">Every starting point, by index.</param>
/// <param name="Results">Every run, by index.</param>
public sealed record MultiStartResult(
    OptimizationResult Best,
    int BestStart,
    IReadOnlyList<double[]> StartingPoints,
    IReadOnlyList<OptimizationResult> Results);

/// <summary>
/// "Send many hikers": K local minimizations from seeded random points in a box, run in parallel; the deepest wins.
/// </summary>
public static class MultiStart
{
    /// <summary>
    /// Minimizes <paramref name="function"/> from <paramref name="starts"/> points drawn uniformly in
    /// [<paramref name="lowerBounds"/>, <paramref name="upperBounds"/>] and returns every run and the best.
    /// </summary>
    /// <param name="function">The objective.</param>
    /// <param name="lowerBounds">Lower corner of the box the starts are drawn from (not a constraint on the runs).</param>
    /// <param name="upperBounds">Upper corner of the box.</param>
    /// <param name="starts">K ≥ 1.</param>
    /// <param name="seed">Start k is drawn from its own generator seeded by (seed, k), so the points and the result do not depend on the thread count.</param>
    /// <param name="localMinimizer">Runs one local minimization; it is called concurrently and must not share mutable state.
    /// Default: a new <see cref="Lbfgs"/> with 1000 iterations and the strong-Wolfe search per start.</param>
    /// <param name="maxDegreeOfParallelism">Threads used (−1: as many as the runtime likes).</param>
    public static MultiStartResult Minimize(
        DifferentiableFunction function,
        ReadOnlySpan<double> lowerBounds,
        ReadOnlySpan<double> upperBounds,
        int starts,
        int seed = 0,
        Func<DifferentiableFunction, double[], OptimizationResult>? localMinimizer = null,
        int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(function);
        Guard.AtLeast(starts, 1, nameof(starts));
        if (lowerBounds.Length != function.Dimension || upperBounds.Length != function.Dimension)
        {
            throw new ArgumentException(
                $"{function.Name} takes {function.Dimension} parameters; the bounds have lengths {lowerBounds.Length} and {upperBounds.Length}.",
                nameof(lowerBounds));
        }

        for (int i = 0; i < lowerBounds.Length; i++)
        {
            if (!double.IsFinite(lowerBounds[i]) || !double.IsFinite(upperBounds[i]) || lowerBounds[i] > upperBounds[i]
                || !double.IsFinite(upperBounds[i] - lowerBounds[i]))
            {
                throw new ArgumentException($"The box is empty or infinite in component {i} (its width must be a finite number too).", nameof(lowerBounds));
            }
        }

        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use −1 or a positive thread count.");
        }

        localMinimizer ??= (f, x0) => new Lbfgs(maxIterations: 1000, lineSearch: LineSearch.StrongWolfe).Minimize(f, x0);
        int n = function.Dimension;
        var points = new double[starts][];
        for (int k = 0; k < starts; k++)
        {
            var random = new Random(unchecked(seed * 1_000_003 + k * 7919 + 17));
            points[k] = new double[n];
            for (int i = 0; i < n; i++)
            {
                points[k][i] = lowerBounds[i] + random.NextDouble() * (upperBounds[i] - lowerBounds[i]);
            }
        }

        var results = new OptimizationResult[starts];
        void Start(int k) => results[k] = localMinimizer(function, (double[])points[k].Clone())
            ?? throw new InvalidOperationException($"The local minimizer returned null for start {k}; it must return its OptimizationResult.");
        if (maxDegreeOfParallelism == 1 || global::SymbolicGrad.Internal.ObjectiveBuffers.InModelEvaluation)
        {
            // Called inside a model's evaluation (from a custom derivative), the starts run on this thread: on others they
            // would wait for the model's lock that this thread holds while it waits for them. The results are the same.
            for (int k = 0; k < starts; k++)
            {
                Start(k);
            }
        }
        else
        {
            try
            {
                Parallel.For(0, starts, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, Start);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // The loss's own exception (or the null result's), as the serial run and Trainer throw it, not wrapped
                // in an AggregateException (red-team O); of several starts that threw, one's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            }
        }

        int best = -1;
        for (int k = 0; k < starts; k++)
        {
            if (double.IsFinite(results[k].Loss) && (best < 0 || results[k].Loss < results[best].Loss))
            {
                best = k;
            }
        }

        if (best < 0)
        {
            best = 0;
        }

        return new MultiStartResult(results[best], best, points, results);
    }
}
