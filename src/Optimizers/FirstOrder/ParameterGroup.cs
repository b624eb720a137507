using System.Globalization;
using System.Text;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// A slice of the parameter vector with hyper-parameters of its own: PyTorch's parameter group
/// (<c>{"params": ..., "lr": ..., "weight_decay": ...}</c>) for a flat vector.
/// </summary>
/// <remarks>
/// <para>
/// Pass groups to an optimizer's <c>groups</c> argument. The optimizer's other arguments are the defaults for
/// every group that does not set a value, exactly as PyTorch's constructor keywords are:
/// </para>
/// <code>
/// // θ[0..10) with lr 1e-3 and the default weight decay 0.01; θ[10..12) (the biases) with lr 1e-2 and no decay.
/// var adam = new AdamW(learningRate: 1e-3, weightDecay: 0.01, groups:
/// [
///     new ParameterGroup(0..10),
///     new ParameterGroup(10..12, learningRate: 1e-2, weightDecay: 0),
/// ]);
/// </code>
/// <para>
/// Ranges may count from the end (<c>^2..</c>); they are resolved at the first <see cref="Optimizer.Step"/>, where
/// the groups must be disjoint and cover every parameter (give a group <c>learningRate: 0</c> to freeze it). A null
/// value means "the optimizer's". Only the hyper-parameters an optimizer has may be set (Adagrad has no β1): the
/// constructor rejects the others, naming them. Settings that stay per optimizer (Nesterov, AMSGrad, centered,
/// maximize, dampening, α, ρ, lr_decay, ψ) are listed in <c>docs/optimizers.md</c>.
/// </para>
/// </remarks>
public sealed class ParameterGroup
{
    /// <summary>Describes a group.</summary>
    /// <param name="range">The coordinates of the parameter vector in the group.</param>
    /// <param name="learningRate">γ for this group (and the base rate a schedule scales for it), or null for the optimizer's.</param>
    /// <param name="weightDecay">λ for this group, or null for the optimizer's.</param>
    /// <param name="momentum">μ (SGD, RMSprop), or null for the optimizer's.</param>
    /// <param name="beta1">β1 (Adam family, Adamax, NAdam, RAdam, Lion), or null for the optimizer's.</param>
    /// <param name="beta2">β2 (Adam family, Adamax, NAdam, RAdam, Lion), or null for the optimizer's.</param>
    /// <param name="epsilon">ε, or null for the optimizer's.</param>
    public ParameterGroup(
        Range range,
        double? learningRate = null,
        double? weightDecay = null,
        double? momentum = null,
        double? beta1 = null,
        double? beta2 = null,
        double? epsilon = null)
    {
        Range = range;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>The coordinates of the parameter vector in the group.</summary>
    public Range Range { get; }

    /// <summary>γ, or null for the optimizer's.</summary>
    public double? LearningRate { get; }

    /// <summary>λ, or null for the optimizer's.</summary>
    public double? WeightDecay { get; }

    /// <summary>μ, or null for the optimizer's.</summary>
    public double? Momentum { get; }

    /// <summary>β1, or null for the optimizer's.</summary>
    public double? Beta1 { get; }

    /// <summary>β2, or null for the optimizer's.</summary>
    public double? Beta2 { get; }

    /// <summary>ε, or null for the optimizer's.</summary>
    public double? Epsilon { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder(Range.ToString());
        Append(text, "learningRate", LearningRate);
        Append(text, "weightDecay", WeightDecay);
        Append(text, "momentum", Momentum);
        Append(text, "beta1", Beta1);
        Append(text, "beta2", Beta2);
        Append(text, "epsilon", Epsilon);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, double? value)
    {
        if (value is double v)
        {
            text.Append(CultureInfo.InvariantCulture, $", {name}: {v:R}");
        }
    }
}

/// <summary>
/// One parameter group of an optimizer as it runs: its slice of the vector and its current learning rate.
/// <see cref="Optimizer.Groups"/> lists them; an optimizer created without groups has one group holding every parameter.
/// </summary>
public sealed class OptimizerGroup
{
    private readonly Optimizer _owner;
    private readonly bool _implicit;
    private double? _learningRate;

    internal OptimizerGroup(Optimizer owner, int index, ParameterGroup definition, double? cycledMomentum, bool follows)
    {
        _owner = owner;
        _implicit = follows;
        Index = index;
        Definition = definition;
        _learningRate = definition.LearningRate;
        CycledMomentum = cycledMomentum;
    }

    /// <summary>The position in <see cref="Optimizer.Groups"/>.</summary>
    public int Index { get; }

    /// <summary>The group as it was passed to the constructor (for an optimizer without groups: <c>..</c>, no overrides).</summary>
    public ParameterGroup Definition { get; }

    /// <summary>The first coordinate of the group; known from the first <see cref="Optimizer.Step"/> on (0 before).</summary>
    public int Offset { get; internal set; }

    /// <summary>The number of coordinates in the group; known from the first <see cref="Optimizer.Step"/> on (0 before).</summary>
    public int Length { get; internal set; }

    /// <summary>
    /// γ used for this group by the next step: the group's own rate if it has one, otherwise the optimizer's
    /// <see cref="Optimizer.LearningRate"/>. Setting it gives the group a rate of its own (for the single group of an
    /// optimizer created without groups, setting it sets <see cref="Optimizer.LearningRate"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate ?? _owner.LearningRate;
        set
        {
            if (_implicit)
            {
                _owner.LearningRate = value;
            }
            else
            {
                _learningRate = Guard.NonNegative(value, nameof(LearningRate));
            }
        }
    }

    /// <summary>Whether the group has a rate of its own (otherwise it follows <see cref="Optimizer.LearningRate"/>).</summary>
    public bool HasOwnLearningRate => _learningRate is not null;

    /// <summary>The group's own momentum or β1, or null to use the optimizer's (one-cycle and cyclic schedules clear it).</summary>
    internal double? CycledMomentum { get; set; }

    /// <summary>Makes the group follow the optimizer's learning rate again.</summary>
    internal void FollowOptimizerLearningRate() => _learningRate = null;

    /// <summary>The own learning rate as a state scalar (NaN: none).</summary>
    internal double OwnLearningRateOrNaN
    {
        get => _learningRate ?? double.NaN;
        set => _learningRate = double.IsNaN(value) ? null : value;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"group {Index} [{Offset}..{Offset + Length}) lr {LearningRate:G6}");
}
