namespace SymbolicGrad.Optimizers;

/// <summary>
/// The loss over examples <c>[start, start + count)</c> of a data set and its gradient: typically a generated
/// <c>NameGradient</c> called on span slices of the data, <c>x.AsSpan(start, count)</c>.
/// </summary>
/// <param name="parameters">The model's parameters.</param>
/// <param name="start">The first example of the shard.</param>
/// <param name="count">The number of examples in the shard (at least 1).</param>
/// <param name="gradient">Receives the gradient of the shard's loss (cleared before the call).</param>
/// <returns>The shard's loss: the sum over its examples for <see cref="ShardReduction.Sum"/>, their mean for <see cref="ShardReduction.Mean"/>.</returns>
public delegate double ShardGradient(ReadOnlySpan<double> parameters, int start, int count, Span<double> gradient);

/// <summary>The loss over examples <c>[start, start + count)</c> alone, as <see cref="ShardGradient"/> without the gradient.</summary>
public delegate double ShardValue(ReadOnlySpan<double> parameters, int start, int count);

/// <summary>How a <see cref="ShardedObjective"/> combines what its shards return.</summary>
public enum ShardReduction
{
    /// <summary>Each shard returns the sum over its examples; the objective is the sum of the shards'.</summary>
    Sum,

    /// <summary>Each shard returns the mean over its examples; the objective is the mean over all examples, Σₛ nₛ·fₛ / N.</summary>
    Mean,
}

/// <summary>
/// A loss that sums (or averages) over a data set, evaluated on every core: the examples <c>[0, Count)</c> are cut into
/// shards of <see cref="ShardSize"/> consecutive examples (the last may be shorter), the shards run in parallel, each
/// into its own gradient buffer, and the shard results are added in a fixed pairwise tree. The shard boundaries and the
/// tree depend only on <see cref="Count"/> and <see cref="ShardSize"/>, never on the thread count, so the value and the
/// gradient have the same bits on 1 thread or 64.
/// </summary>
/// <remarks>
/// <para>
/// The shard delegate is called from several threads at once and must not share mutable scratch state; generated
/// gradients are safe. One evaluation runs at a time per instance: concurrent callers (a parallel multi-start, say)
/// wait for each other. A call allocates only what <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>
/// allocates (a few hundred bytes); the buffers, <see cref="ShardCount"/> gradients of <see cref="Dimension"/> each
/// padded by two cache lines (so that threads never write to the same line), are allocated once.
/// </para>
/// <para>
/// The result differs from one serial pass over all the examples by rounding only: the order of the additions is
/// different (a shard's sum, then the tree), and it is the same order for every thread count.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // [Differentiable] static double SquaredResiduals(double w, double b, [NoDerivative] ReadOnlySpan&lt;double&gt; x, [NoDerivative] ReadOnlySpan&lt;double&gt; y)
/// var mse = new ShardedObjective(dimension: 2, count: x.Length,
///     (p, start, n, g) => Fit.SquaredResidualsGradient(p[0], p[1], x.AsSpan(start, n), y.AsSpan(start, n), out g[0], out g[1]),
///     reduction: ShardReduction.Sum, scale: 1.0 / x.Length);
/// double loss = mse.ValueAndGradient(parameters, gradient);        // on every core, same bits as on one
/// var fit = new Lbfgs().Minimize(mse.ToFunction("mse"), [0.0, 0.0]);
/// </code>
/// </example>
public sealed class ShardedObjective
{
    /// <summary>The number of shards when no shard size is given: enough to balance up to 16 threads.</summary>
    public const int DefaultShardCount = 16;

    private readonly ShardGradient _shardGradient;
    private readonly ShardValue? _shardValue;
    private readonly ParallelOptions _parallelOptions;
    private readonly double[][] _gradients;
    private readonly double[] _values;
    private readonly double[] _parameters;
    private readonly Action<int> _runGradient;
    private readonly Action<int> _runValue;
    private readonly object _gate = new();

    /// <summary>The objective whose shard the current thread is running (null outside a shard).</summary>
    [ThreadStatic]
    private static ShardedObjective? t_inShardOf;

    /// <summary>Creates a data-parallel objective.</summary>
    /// <param name="dimension">The number of parameters (at least 1).</param>
    /// <param name="count">The number of examples (at least 1).</param>
    /// <param name="gradient">The loss and gradient of one shard.</param>
    /// <param name="value">The loss of one shard alone, for <see cref="Value"/>; when omitted, <see cref="Value"/> evaluates the gradient too.</param>
    /// <param name="shardSize">Examples per shard (at least 1); by default ⌈<paramref name="count"/> / <see cref="DefaultShardCount"/>⌉.
    /// It fixes the result's bits: keep it when the thread count changes.</param>
    /// <param name="reduction">What a shard returns: the sum or the mean over its examples.</param>
    /// <param name="scale">A factor applied to the combined value and gradient (1 / N turns sums into a mean); finite and nonzero.</param>
    /// <param name="maxDegreeOfParallelism">Threads used: −1 (the default) for as many as the runtime gives, 1 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, the scale or the thread count is out of range.</exception>
    public ShardedObjective(
        int dimension,
        int count,
        ShardGradient gradient,
        ShardValue? value = null,
        int? shardSize = null,
        ShardReduction reduction = ShardReduction.Sum,
        double scale = 1.0,
        int maxDegreeOfParallelism = -1)
    {
        Guard.AtLeast(dimension, 1, nameof(dimension));
        Guard.AtLeast(count, 1, nameof(count));
        ArgumentNullException.ThrowIfNull(gradient);
        if (shardSize is { } size && size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shardSize), size, $"shardSize must be at least 1 (examples per shard); got {size}.");
        }

        if (!double.IsFinite(scale) || scale == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be a finite nonzero number.");
        }

        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism,
                "maxDegreeOfParallelism must be −1 (as many threads as the runtime gives) or a positive thread count.");
        }

        if (reduction is not (ShardReduction.Sum or ShardReduction.Mean))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        }

        Dimension = dimension;
        Count = count;
        ShardSize = shardSize ?? (int)((count + (long)DefaultShardCount - 1) / DefaultShardCount);
        ShardCount = (int)((count + (long)ShardSize - 1) / ShardSize);
        Reduction = reduction;
        Scale = scale;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        _shardGradient = gradient;
        _shardValue = value;
        _parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        _gradients = DeterministicReduction.NewBuffers(ShardCount, dimension);

        _values = new double[ShardCount];
        _parameters = new double[dimension];
        _runGradient = RunGradientShard;
        _runValue = RunValueShard;
    }

    /// <summary>The number of parameters.</summary>
    public int Dimension { get; }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    /// <summary>Examples per shard (the last shard may hold fewer).</summary>
    public int ShardSize { get; }

    /// <summary>The number of shards, ⌈<see cref="Count"/> / <see cref="ShardSize"/>⌉.</summary>
    public int ShardCount { get; }

    /// <summary>What a shard returns.</summary>
    public ShardReduction Reduction { get; }

    /// <summary>The factor applied to the combined value and gradient.</summary>
    public double Scale { get; }

    /// <summary>The most threads used (−1: as many as the runtime gives).</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>The examples of shard <paramref name="shard"/>: <c>[Start, Start + Count)</c>.</summary>
    public (int Start, int Count) ShardRange(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        int start = shard * ShardSize;
        return (start, Math.Min(ShardSize, Count - start));
    }

    /// <summary>The same objective on another number of threads: the same shards, so the same bits.</summary>
    public ShardedObjective WithMaxDegreeOfParallelism(int maxDegreeOfParallelism) =>
        new(Dimension, Count, _shardGradient, _shardValue, ShardSize, Reduction, Scale, maxDegreeOfParallelism);

    /// <summary>Evaluates the objective and writes its gradient into <paramref name="gradient"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Dimension"/>.</exception>
    public double ValueAndGradient(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        CheckLength(parameters.Length, nameof(parameters));
        CheckLength(gradient.Length, nameof(gradient));
        ThrowIfReentered();
        lock (_gate)
        {
            parameters.CopyTo(_parameters);
            DeterministicReduction.Run(ShardCount, _parallelOptions, _runGradient);
            if (Reduction == ShardReduction.Mean)
            {
                // a shard's mean times its size is its sum; the sizes are fixed, so this too is the same for every thread count
                for (int s = 0; s < ShardCount; s++)
                {
                    double n = ShardRange(s).Count;
                    _values[s] *= n;
                    var g = _gradients[s].AsSpan(0, Dimension);
                    for (int i = 0; i < g.Length; i++)
                    {
                        g[i] *= n;
                    }
                }
            }

            DeterministicReduction.PairwiseSum(_gradients, ShardCount, gradient, _parallelOptions);
            if (Reduction == ShardReduction.Mean || Scale != 1.0)
            {
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] = Finish(gradient[i]);
                }
            }

            return Finish(DeterministicReduction.PairwiseSum(_values, ShardCount));
        }
    }

    /// <summary>Evaluates the objective alone (with the shards' value delegate when one was given).</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="parameters"/> is not <see cref="Dimension"/>.</exception>
    public double Value(ReadOnlySpan<double> parameters)
    {
        CheckLength(parameters.Length, nameof(parameters));
        if (_shardValue is null)
        {
            return ValueAndGradient(parameters, new double[Dimension]);
        }

        ThrowIfReentered();
        lock (_gate)
        {
            parameters.CopyTo(_parameters);
            DeterministicReduction.Run(ShardCount, _parallelOptions, _runValue);
            if (Reduction == ShardReduction.Mean)
            {
                for (int s = 0; s < ShardCount; s++)
                {
                    _values[s] *= ShardRange(s).Count;
                }
            }

            return Finish(DeterministicReduction.PairwiseSum(_values, ShardCount));
        }
    }

    /// <summary>This objective as the shape every optimizer and gradient check takes.</summary>
    public DifferentiableFunction ToFunction(string? name = null, IReadOnlyList<string>? parameterNames = null) =>
        new(Dimension, Value, ValueAndGradient, name ?? "sharded objective", parameterNames);

    /// <summary>From the sum over all examples to the objective: divided by <see cref="Count"/> for a mean, times <see cref="Scale"/>.</summary>
    private double Finish(double sum)
    {
        double v = Reduction == ShardReduction.Mean ? sum / Count : sum;
        return Scale == 1.0 ? v : v * Scale;
    }

    private void RunGradientShard(int shard)
    {
        (int start, int count) = ShardRange(shard);
        var g = _gradients[shard].AsSpan(0, Dimension);
        g.Clear();
        var outer = t_inShardOf;
        t_inShardOf = this;
        try
        {
            _values[shard] = _shardGradient(_parameters, start, count, g);
        }
        finally
        {
            t_inShardOf = outer;
        }
    }

    private void RunValueShard(int shard)
    {
        (int start, int count) = ShardRange(shard);
        var outer = t_inShardOf;
        t_inShardOf = this;
        try
        {
            _values[shard] = _shardValue!(_parameters, start, count);
        }
        finally
        {
            t_inShardOf = outer;
        }
    }

    /// <summary>
    /// A shard that evaluates this same objective would share its buffers with the evaluation that runs it: on the
    /// calling thread the lock lets it in and it overwrote the outer one's parameters and sums (a wrong value), on a pool
    /// thread it waited for the lock the outer evaluation holds (a hang; red-team O).
    /// </summary>
    private void ThrowIfReentered()
    {
        if (ReferenceEquals(t_inShardOf, this) || Monitor.IsEntered(_gate))
        {
            throw new InvalidOperationException("A shard of this ShardedObjective evaluated the same objective while it was being evaluated: its buffers are in use. Evaluate another ShardedObjective (one made with the same delegates) inside a shard.");
        }
    }

    private void CheckLength(int length, string argument)
    {
        if (length != Dimension)
        {
            throw new ArgumentException($"{argument} has length {length} but the objective has {Dimension} parameters.", argument);
        }
    }
}
