namespace SymbolicGrad.Optimizers;

/// <summary>Adagrad (Duchi et al., 2011), PyTorch's <c>torch.optim.Adagrad</c>.</summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: g ← g + λθ
/// γ̃ = γ / (1 + (t − 1)·lr_decay)
/// S ← S + g²        (S₀ = initialAccumulatorValue)
/// θ ← θ − γ̃ · g / (√S + ε)
/// </code>
/// ε is outside the square root; with S₀ = 0 the first step is γ·sign(g).
/// </remarks>
public sealed class AdaGrad : Optimizer
{
    private double[]? _sum;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="learningRateDecay">lr_decay ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="initialAccumulatorValue">S₀ ≥ 0.</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public AdaGrad(
        double learningRate = 1e-2,
        double learningRateDecay = 0,
        double weightDecay = 0,
        double initialAccumulatorValue = 0,
        double epsilon = 1e-10,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, GroupSettings.WeightDecay | GroupSettings.Epsilon)
    {
        LearningRateDecay = Guard.NonNegative(learningRateDecay, nameof(learningRateDecay));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        InitialAccumulatorValue = Guard.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        Maximize = maximize;
    }

    /// <summary>lr_decay.</summary>
    public double LearningRateDecay { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>S₀.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the optimizer ascends.</summary>
    public bool Maximize { get; }

    private protected override void AllocateState(int dimension)
    {
        _sum = new double[dimension];
        Array.Fill(_sum, InitialAccumulatorValue);
    }

    private protected override void ReleaseState() => _sum = null;

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        double wd = group.Definition.WeightDecay ?? WeightDecay, eps = group.Definition.Epsilon ?? Epsilon;
        double clr = group.LearningRate / (1 + (t - 1) * LearningRateDecay);
        var s = _sum.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                g += wd * parameters[i];
            }

            s[i] += g * g;
            parameters[i] += -clr * g / (Math.Sqrt(s[i]) + eps);
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("lr_decay", LearningRateDecay);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("initial_accumulator_value", InitialAccumulatorValue);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Buffer("sum", _sum);
    }
}
