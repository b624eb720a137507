namespace SymbolicGrad.Optimizers;

/// <summary>Adadelta (Zeiler, 2012), PyTorch's <c>torch.optim.Adadelta</c>.</summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: g ← g + λθ
/// v ← ρv + (1 − ρ)g²                      (updated first)
/// Δ = √(u + ε) / √(v + ε) · g              (new v, old u)
/// u ← ρu + (1 − ρ)Δ²
/// θ ← θ − γΔ
/// </code>
/// ε is inside both square roots. The paper has no learning rate; PyTorch's γ (default 1.0) only scales Δ.
/// </remarks>
public sealed class AdaDelta : Optimizer
{
    private double[]? _squareAvg;
    private double[]? _accDelta;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0, scales Δ.</param>
    /// <param name="rho">ρ ∈ [0, 1].</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public AdaDelta(
        double learningRate = 1.0,
        double rho = 0.9,
        double epsilon = 1e-6,
        double weightDecay = 0,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, GroupSettings.WeightDecay | GroupSettings.Epsilon)
    {
        Rho = Guard.InRange(rho, 0, 1, true, nameof(rho));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        Maximize = maximize;
    }

    /// <summary>ρ.</summary>
    public double Rho { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the optimizer ascends.</summary>
    public bool Maximize { get; }

    private protected override void AllocateState(int dimension)
    {
        _squareAvg = new double[dimension];
        _accDelta = new double[dimension];
    }

    private protected override void ReleaseState() => _squareAvg = _accDelta = null;

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        double lr = group.LearningRate, rho = Rho;
        double eps = group.Definition.Epsilon ?? Epsilon, wd = group.Definition.WeightDecay ?? WeightDecay;
        var v = _squareAvg.AsSpan(group.Offset, parameters.Length);
        var u = _accDelta.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                g += wd * parameters[i];
            }

            v[i] = v[i] * rho + (1 - rho) * g * g;
            double std = Math.Sqrt(v[i] + eps);
            double delta = Math.Sqrt(u[i] + eps) / std * g;
            u[i] = u[i] * rho + (1 - rho) * delta * delta;
            parameters[i] += -lr * delta;
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("rho", Rho);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Buffer("square_avg", _squareAvg);
        visitor.Buffer("acc_delta", _accDelta);
    }
}
