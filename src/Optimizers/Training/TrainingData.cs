namespace SymbolicGrad.Optimizers;

/// <summary>The loss of one example and its gradient with respect to the parameters.</summary>
/// <param name="parameters">The model's parameters.</param>
/// <param name="example">The example's index, in [0, <see cref="TrainingData.Count"/>).</param>
/// <param name="gradient">Receives ∇ of this example's loss.</param>
/// <returns>This example's loss.</returns>
public delegate double ExampleLoss(ReadOnlySpan<double> parameters, int example, Span<double> gradient);

/// <summary>
/// A data set seen through its per-example losses: the objective is the mean over the examples, and a batch
/// gradient is the mean of the batch's example gradients. A single <see cref="DifferentiableFunction"/> is the
/// one-example case (deterministic, full-batch optimization).
/// </summary>
/// <remarks>
/// <see cref="ExampleLoss"/> may be called from several threads at once when
/// <see cref="TrainingOptions.MaxDegreeOfParallelism"/> is above 1, so it must not share mutable scratch state.
/// Generated objectives (<c>NameObjective(x, y)</c>) are safe.
/// </remarks>
public sealed class TrainingData
{
    private TrainingData(int count, int dimension, ExampleLoss loss)
    {
        Count = count;
        Dimension = dimension;
        Loss = loss;
    }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    /// <summary>The number of parameters.</summary>
    public int Dimension { get; }

    /// <summary>The per-example loss.</summary>
    public ExampleLoss Loss { get; }

    /// <summary>One objective per example, for instance <c>data.Select(d => Model.LossObjective(d.X, d.Y))</c> with a generated objective.</summary>
    /// <exception cref="ArgumentException">The list is empty or the objectives differ in dimension.</exception>
    public static TrainingData FromExamples(IEnumerable<DifferentiableFunction> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var array = examples.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("There are no examples.", nameof(examples));
        }

        for (int i = 0; i < array.Length; i++)
        {
            if (array[i] is null)
            {
                throw new ArgumentException($"Example {i} is null.", nameof(examples));
            }
        }

        int dimension = array[0].Dimension;
        for (int i = 1; i < array.Length; i++)
        {
            if (array[i].Dimension != dimension)
            {
                throw new ArgumentException(
                    $"Example {i} ({array[i].Name}) has {array[i].Dimension} parameters but example 0 has {dimension}.", nameof(examples));
            }
        }

        return new TrainingData(array.Length, dimension, (p, i, g) => array[i].ValueAndGradient(p, g));
    }

    /// <summary>A data set of <paramref name="count"/> examples whose loss is given by index.</summary>
    public static TrainingData FromLoss(int count, int dimension, ExampleLoss loss)
    {
        Guard.AtLeast(count, 1, nameof(count));
        Guard.AtLeast(dimension, 1, nameof(dimension));
        ArgumentNullException.ThrowIfNull(loss);
        return new TrainingData(count, dimension, loss);
    }

    /// <summary>A single objective: every epoch is one full-batch step.</summary>
    public static TrainingData FromFunction(DifferentiableFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new TrainingData(1, function.Dimension, (p, _, g) => function.ValueAndGradient(p, g));
    }

    /// <summary>A single objective given by the plain value-and-gradient shape.</summary>
    public static TrainingData FromFunction(int dimension, ValueAndGradientFunction function)
    {
        Guard.AtLeast(dimension, 1, nameof(dimension));
        ArgumentNullException.ThrowIfNull(function);
        return new TrainingData(1, dimension, (p, _, g) => function(p, g));
    }
}

/// <summary>How the examples are grouped into batches: the three walkers.</summary>
public sealed record Batching
{
    private Batching(int? size, bool dropLast)
    {
        Size = size;
        DropLast = dropLast;
    }

    /// <summary>Every example in every step: gradient descent on the mean loss, one step per epoch.</summary>
    public static Batching FullBatch { get; } = new(null, false);

    /// <summary>One example per step: stochastic gradient descent.</summary>
    public static Batching Stochastic { get; } = new(1, false);

    /// <summary><paramref name="size"/> examples per step; with <paramref name="dropLast"/> a final smaller batch is skipped.</summary>
    public static Batching MiniBatch(int size, bool dropLast = false) => new(Guard.AtLeast(size, 1, nameof(size)), dropLast);

    /// <summary>The batch size, or null for the full batch.</summary>
    public int? Size { get; }

    /// <summary>Whether an incomplete last batch of an epoch is skipped.</summary>
    public bool DropLast { get; }

    /// <inheritdoc />
    public override string ToString() => Size switch
    {
        null => "full batch",
        1 => "stochastic (batch of one)",
        int s => $"mini-batches of {s}{(DropLast ? ", last incomplete batch dropped" : "")}",
    };
}
