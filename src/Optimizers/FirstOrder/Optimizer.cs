namespace SymbolicGrad.Optimizers;

/// <summary>
/// A first-order optimizer: it turns a gradient into an in-place update of a flat parameter vector,
/// following PyTorch's <c>torch.optim</c> update rules to the letter (see <c>docs/optimizers.md</c>).
/// </summary>
/// <remarks>
/// <para>
/// The optimizer learns the dimension from its first <see cref="Step"/> call and allocates its state
/// buffers then; later steps allocate nothing. The step counter is incremented before the update, so
/// the first update uses t = 1, as in PyTorch.
/// </para>
/// <para>
/// <see cref="LearningRate"/> (and, for optimizers that implement <see cref="ICycledMomentum"/>, the
/// momentum or β1) may be changed between steps; that is how schedules drive an optimizer. Everything
/// the next update depends on can be captured with <see cref="SaveState"/> and put back with
/// <see cref="RestoreState"/>: a restored optimizer continues bit for bit.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    private double _learningRate;

    /// <summary>Initializes the learning rate.</summary>
    /// <param name="learningRate">γ, at least 0.</param>
    private protected Optimizer(double learningRate)
    {
        _learningRate = Guard.NonNegative(learningRate, nameof(learningRate));
    }

    /// <summary>The name written into saved state; equal to the class name (<c>"Adam"</c>, <c>"Sgd"</c>, ...).</summary>
    public string Name => GetType().Name;

    /// <summary>γ, the learning rate used by the next <see cref="Step"/>. Schedules set it before each step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Guard.NonNegative(value, nameof(LearningRate));
    }

    /// <summary>The number of updates performed so far (t of the last update; 0 before the first).</summary>
    public long StepCount { get; private set; }

    /// <summary>The length of the parameter vector, fixed by the first <see cref="Step"/>; 0 before it.</summary>
    public int Dimension { get; private set; }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradient"/> (∇f at <paramref name="parameters"/>).</summary>
    /// <param name="parameters">θ<sub>t−1</sub> on entry, θ<sub>t</sub> on return.</param>
    /// <param name="gradient">∇f(θ<sub>t−1</sub>); it is not modified.</param>
    /// <exception cref="ArgumentException">
    /// The spans are empty, differ in length, or differ from the length of the first call.
    /// </exception>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        if (gradient.Length != parameters.Length)
        {
            throw new ArgumentException(
                $"gradient has length {gradient.Length} but parameters has length {parameters.Length}.", nameof(gradient));
        }

        if (Dimension == 0)
        {
            if (parameters.IsEmpty)
            {
                throw new ArgumentException("parameters is empty.", nameof(parameters));
            }

            Dimension = parameters.Length;
            AllocateState(Dimension);
        }
        else if (parameters.Length != Dimension)
        {
            throw new ArgumentException(
                $"{Name} was first stepped with {Dimension} parameters but parameters now has length {parameters.Length}; " +
                "call Reset() to use the optimizer on a different vector.", nameof(parameters));
        }

        StepCount++;
        Update(parameters, gradient, StepCount);
    }

    /// <summary>Forgets the dimension, the step count and every buffer; the hyper-parameters stay.</summary>
    public void Reset()
    {
        StepCount = 0;
        Dimension = 0;
        ReleaseState();
    }

    /// <summary>Captures everything the next update depends on: hyper-parameters, step count, scalars and buffers.</summary>
    /// <returns>A self-contained copy; later steps do not change it.</returns>
    public OptimizerState SaveState()
    {
        var collector = new OptimizerState.Builder(Name, Dimension, StepCount);
        collector.Scalar("learning_rate", ref _learningRate);
        VisitState(collector);
        return collector.Build();
    }

    /// <summary>
    /// Replaces this optimizer's state with <paramref name="state"/>, so that the next <see cref="Step"/>
    /// gives bit for bit what the saved optimizer's next step would have given.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The state was saved by another optimizer type, with different fixed hyper-parameters, for a different
    /// dimension than this optimizer already has, or lacks an entry this optimizer needs.
    /// Nothing is changed when it throws.
    /// </exception>
    public void RestoreState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != Name)
        {
            throw new ArgumentException(
                $"The state was saved by {state.OptimizerName} and cannot be restored into {Name}.", nameof(state));
        }

        if (Dimension != 0 && state.Dimension != 0 && state.Dimension != Dimension)
        {
            throw new ArgumentException(
                $"The state is for {state.Dimension} parameters but this {Name} is already used with {Dimension}.", nameof(state));
        }

        // Validate everything first (a dry run that writes nothing), then apply.
        var check = new OptimizerState.Reader(state, apply: false);
        double lr = _learningRate;
        check.Scalar("learning_rate", ref lr);
        VisitState(check);
        check.ThrowIfUnread();

        StepCount = state.StepCount;
        Dimension = state.Dimension;
        if (Dimension == 0)
        {
            ReleaseState();
        }
        else
        {
            AllocateState(Dimension);
        }

        var reader = new OptimizerState.Reader(state, apply: true);
        reader.Scalar("learning_rate", ref _learningRate);
        VisitState(reader);
    }

    /// <summary>Allocates (and initializes) the state buffers for <paramref name="dimension"/> parameters.</summary>
    private protected abstract void AllocateState(int dimension);

    /// <summary>Drops the state buffers.</summary>
    private protected abstract void ReleaseState();

    /// <summary>The update rule; <paramref name="t"/> is the 1-based step number.</summary>
    private protected abstract void Update(Span<double> parameters, ReadOnlySpan<double> gradient, long t);

    /// <summary>Names every hyper-parameter, scalar and buffer for saving or restoring.</summary>
    private protected abstract void VisitState(IStateVisitor visitor);
}

/// <summary>
/// Implemented by optimizers whose momentum coefficient a one-cycle schedule can cycle: the momentum of
/// <see cref="Sgd"/> and <see cref="RmsProp"/>, and β1 of the Adam family and <see cref="Lion"/>
/// (PyTorch's <c>OneCycleLR</c> cycles <c>betas[0]</c> for optimizers that have betas).
/// </summary>
public interface ICycledMomentum
{
    /// <summary>The momentum or β1 used by the next step.</summary>
    double CycledMomentum { get; set; }
}

/// <summary>Walks an optimizer's state by name (saving or restoring).</summary>
internal interface IStateVisitor
{
    /// <summary>A hyper-parameter fixed at construction; restoring checks that it matches.</summary>
    void Setting(string name, double value);

    /// <summary>A scalar that changes (or may be changed) during a run; restoring overwrites it.</summary>
    void Scalar(string name, ref double value);

    /// <summary>A buffer of <see cref="Optimizer.Dimension"/> values (null before the first step); restoring copies into it.</summary>
    void Buffer(string name, double[]? buffer);
}
