using System.Globalization;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Explorer.Labs;

/// <summary>
/// An optimizer as the page describes it: a kind and its hyper-parameters (null means the kind's default).
/// <see cref="Create"/> builds the real <see cref="Optimizer"/> from <c>SymbolicGrad.Optimizers</c>; bad values are
/// rejected by the optimizers' own validation, whose message names the argument.
/// </summary>
public sealed record OptimizerSpec
{
    /// <summary>The kind: one of <see cref="Kinds"/>.</summary>
    public string Kind { get; init; } = "gd";

    /// <summary>The learning rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Momentum (gd/momentum/nesterov, rmsprop).</summary>
    public double? Momentum { get; init; }

    /// <summary>β1 (the Adam family, Lion).</summary>
    public double? Beta1 { get; init; }

    /// <summary>β2 (the Adam family, Lion).</summary>
    public double? Beta2 { get; init; }

    /// <summary>A label for the legend; defaults to the kind's name and learning rate.</summary>
    public string? Label { get; init; }

    /// <summary>Every kind, with its display name and default hyper-parameters for a 2-D landscape.</summary>
    public static IReadOnlyList<OptimizerKind> Kinds { get; } =
    [
        new("gd", "Gradient descent", "Sgd(lr)", 0.01, null, null, null),
        new("momentum", "Momentum", "Sgd(lr, momentum)", 0.01, 0.9, null, null),
        new("nesterov", "Nesterov", "Sgd(lr, momentum, nesterov: true)", 0.01, 0.9, null, null),
        new("adam", "Adam", "Adam(lr, β1, β2)", 0.1, null, 0.9, 0.999),
        new("adamw", "AdamW", "AdamW(lr, β1, β2)", 0.1, null, 0.9, 0.999),
        new("rmsprop", "RMSprop", "RmsProp(lr, momentum)", 0.01, 0.0, null, null),
        new("adagrad", "Adagrad", "AdaGrad(lr)", 0.5, null, null, null),
        new("adadelta", "Adadelta", "AdaDelta(lr)", 1.0, null, null, null),
        new("adamax", "Adamax", "Adamax(lr, β1, β2)", 0.1, null, 0.9, 0.999),
        new("nadam", "NAdam", "NAdam(lr, β1, β2)", 0.1, null, 0.9, 0.999),
        new("radam", "RAdam", "RAdam(lr, β1, β2)", 0.1, null, 0.9, 0.999),
        new("lion", "Lion", "Lion(lr, β1, β2)", 0.01, null, 0.9, 0.99),
        new("lbfgs", "L-BFGS", "Lbfgs(lr, strong Wolfe), one iteration per step", 1.0, null, null, null),
    ];

    /// <summary>The kind's description.</summary>
    /// <exception cref="ArgumentException">Unknown kind.</exception>
    public OptimizerKind Describe() =>
        Kinds.FirstOrDefault(k => k.Id == Kind) ??
        throw new ArgumentException($"Unknown optimizer '{Kind}'; use one of {string.Join(", ", Kinds.Select(k => k.Id))}.");

    /// <summary>The learning rate in force: the given one or the kind's default.</summary>
    public double Rate => LearningRate ?? Describe().LearningRate;

    /// <summary>The legend label.</summary>
    public string DisplayLabel =>
        Label ?? string.Create(CultureInfo.InvariantCulture, $"{Describe().Name} (lr {Rate:G3})");

    /// <summary>True for L-BFGS, which is driven through <see cref="Lbfgs.Step"/> rather than <see cref="Optimizer.Step"/>.</summary>
    public bool IsLbfgs => Kind == "lbfgs";

    /// <summary>Builds the first-order optimizer.</summary>
    /// <exception cref="ArgumentException">Unknown kind, or L-BFGS (use <see cref="CreateLbfgs"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public Optimizer Create()
    {
        var k = Describe();
        double lr = Rate;
        double m = Momentum ?? k.Momentum ?? 0;
        double b1 = Beta1 ?? k.Beta1 ?? 0.9;
        double b2 = Beta2 ?? k.Beta2 ?? 0.999;
        return Kind switch
        {
            "gd" => new Sgd(lr, momentum: m),
            "momentum" => new Sgd(lr, momentum: m),
            "nesterov" => new Sgd(lr, momentum: m, nesterov: true),
            "adam" => new Adam(lr, b1, b2),
            "adamw" => new AdamW(lr, b1, b2),
            "rmsprop" => new RmsProp(lr, momentum: m),
            "adagrad" => new AdaGrad(lr),
            "adadelta" => new AdaDelta(lr),
            "adamax" => new Adamax(lr, b1, b2),
            "nadam" => new NAdam(lr, b1, b2),
            "radam" => new RAdam(lr, b1, b2),
            "lion" => new Lion(lr, b1, b2),
            "lbfgs" => throw new ArgumentException("L-BFGS is not a first-order Optimizer; it needs the function (CreateLbfgs)."),
            _ => throw new ArgumentException($"Unknown optimizer '{Kind}'."),
        };
    }

    /// <summary>L-BFGS with the strong-Wolfe line search, one iteration per <see cref="Lbfgs.Step"/>, so each step is one point of the path.</summary>
    public Lbfgs CreateLbfgs() => new(learningRate: Rate, maxIterations: 1, lineSearch: LineSearch.StrongWolfe, toleranceGrad: 1e-10, toleranceChange: 1e-14);
}

/// <summary>An optimizer kind as the page lists it.</summary>
/// <param name="Id">The id used in requests.</param>
/// <param name="Name">The display name.</param>
/// <param name="Code">What the server constructs.</param>
/// <param name="LearningRate">Default learning rate on the 2-D landscapes.</param>
/// <param name="Momentum">Default momentum, or null when the kind has none.</param>
/// <param name="Beta1">Default β1, or null.</param>
/// <param name="Beta2">Default β2, or null.</param>
public sealed record OptimizerKind(string Id, string Name, string Code, double LearningRate, double? Momentum, double? Beta1, double? Beta2);
