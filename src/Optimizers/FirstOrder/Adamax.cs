namespace SymbolicGrad.Optimizers;

/// <summary>Adamax, the infinity-norm variant of Adam (Kingma and Ba, 2015): PyTorch's <c>torch.optim.Adamax</c>.</summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: g ← g + λθ
/// m ← m + (1 − β1)(g − m)
/// u ← max(β2·u, |g| + ε)                  (ε inside the max)
/// θ ← θ − γ/(1 − β1ᵗ) · m/u               (u has no bias correction)
/// </code>
/// The defaults are PyTorch's current ones (γ = 2e-3, ε = 1e-8); old versions used 1e-2 and 1e-38.
/// </remarks>
public sealed class Adamax : Optimizer, ICycledMomentum
{
    private double _beta1;
    private double[]? _m;
    private double[]? _u;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1).</param>
    /// <param name="beta2">β2 ∈ [0, 1).</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, β1, β2 or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public Adamax(
        double learningRate = 2e-3,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8,
        double weightDecay = 0,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, Adam.AdamFamily)
    {
        _beta1 = Guard.InRange(beta1, 0, 1, false, nameof(beta1));
        Beta2 = Guard.InRange(beta2, 0, 1, false, nameof(beta2));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        Maximize = maximize;
    }

    /// <summary>β1, used by the next step for every group without its own (a one-cycle schedule may change it).</summary>
    public double Beta1
    {
        get => _beta1;
        set => _beta1 = Guard.InRange(value, 0, 1, false, nameof(Beta1));
    }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the optimizer ascends.</summary>
    public bool Maximize { get; }

    double ICycledMomentum.CycledMomentum
    {
        get => Beta1;
        set
        {
            Beta1 = value;
            ClearGroupMomentum();
        }
    }

    private protected override void AllocateState(int dimension)
    {
        _m = new double[dimension];
        _u = new double[dimension];
    }

    private protected override void ReleaseState() => _m = _u = null;

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        var settings = group.Definition;
        double b1 = group.CycledMomentum ?? _beta1, b2 = settings.Beta2 ?? Beta2;
        double eps = settings.Epsilon ?? Epsilon, wd = settings.WeightDecay ?? WeightDecay;
        double clr = group.LearningRate / (1 - Math.Pow(b1, t));
        var m = _m.AsSpan(group.Offset, parameters.Length);
        var u = _u.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                g += wd * parameters[i];
            }

            m[i] = Elementwise.Lerp(m[i], g, 1 - b1);
            u[i] = Math.Max(u[i] * b2, Math.Abs(g) + eps);
            parameters[i] += -clr * m[i] / u[i];
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("beta2", Beta2);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Scalar("beta1", ref _beta1);
        visitor.Buffer("exp_avg", _m);
        visitor.Buffer("exp_inf", _u);
    }
}
