namespace SymbolicGrad.Optimizers;

/// <summary>Lion, "evolved sign momentum" (Chen et al., 2023, arXiv 2302.06675), as optax's <c>optax.lion</c>.</summary>
/// <remarks>
/// <code>
/// c = β1·m + (1 − β1)g;   u = sign(c)  (sign(0) = 0)
/// m ← β2·m + (1 − β2)g                  (the moving average uses β2; the interpolation uses β1)
/// θ ← θ − γ(u + λθ)
/// </code>
/// Conventions: the decay is multiplied by the learning rate, as in AdamW. PyTorch has no Lion, so the
/// defaults are optax's (β1 = 0.9, β2 = 0.99, λ = 1e-3); optax has no default learning rate and 1e-4 is
/// used here, the paper's advice being a rate 3–10× smaller than AdamW's. Every coordinate moves by
/// exactly γ(1 + λθ) per step, so Lion needs a decaying schedule to settle closer than γ to a minimum.
/// </remarks>
public sealed class Lion : Optimizer, ICycledMomentum
{
    private double _beta1;
    private double[]? _m;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1], interpolation weight of the update direction.</param>
    /// <param name="beta2">β2 ∈ [0, 1], decay of the momentum.</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled and multiplied by γ.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, β1 or β2; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public Lion(
        double learningRate = 1e-4,
        double beta1 = 0.9,
        double beta2 = 0.99,
        double weightDecay = 1e-3,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, GroupSettings.WeightDecay | GroupSettings.Beta1 | GroupSettings.Beta2, betasUpToOne: true)
    {
        _beta1 = Guard.InRange(beta1, 0, 1, true, nameof(beta1));
        Beta2 = Guard.InRange(beta2, 0, 1, true, nameof(beta2));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
    }

    /// <summary>β1, used by the next step for every group without its own (a one-cycle schedule may change it).</summary>
    public double Beta1
    {
        get => _beta1;
        set => _beta1 = Guard.InRange(value, 0, 1, true, nameof(Beta1));
    }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    double ICycledMomentum.CycledMomentum
    {
        get => Beta1;
        set
        {
            Beta1 = value;
            ClearGroupMomentum();
        }
    }

    private protected override void AllocateState(int dimension) => _m = new double[dimension];

    private protected override void ReleaseState() => _m = null;

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        double lr = group.LearningRate, b1 = group.CycledMomentum ?? _beta1, b2 = group.Definition.Beta2 ?? Beta2;
        double wd = group.Definition.WeightDecay ?? WeightDecay;
        var m = _m.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = gradient[i];
            double c = b1 * m[i] + (1 - b1) * g;
            double u = c > 0 ? 1 : c < 0 ? -1 : c == 0 ? 0 : double.NaN; // jnp.sign: sign(0) = 0, sign(NaN) = NaN
            m[i] = b2 * m[i] + (1 - b2) * g;
            parameters[i] += -lr * (u + wd * parameters[i]);
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("beta2", Beta2);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Scalar("beta1", ref _beta1);
        visitor.Buffer("exp_avg", _m);
    }
}
