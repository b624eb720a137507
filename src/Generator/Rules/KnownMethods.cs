using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Rules;

/// <summary>
/// Which BCL methods the generator differentiates: the statics of System.Math, System.MathF, double and float
/// that map to an <see cref="Op"/>. A table, kept apart from the lowering that consults it.
/// </summary>
internal static class KnownMethods
{
    /// <summary>The types whose static math methods are recognized.</summary>
    public static readonly IReadOnlyCollection<string> MathTypes = new[] { "System.Math", "System.MathF", "System.Double", "System.Single" };

    private static readonly Dictionary<(string Name, int Arity), Op> Methods = new()
    {
        [("Exp", 1)] = Op.Exp,
        [("Log", 1)] = Op.Log,
        [("Log", 2)] = Op.LogBase,
        [("Log10", 1)] = Op.Log10,
        [("Log2", 1)] = Op.Log2,
        [("Sqrt", 1)] = Op.Sqrt,
        [("Cbrt", 1)] = Op.Cbrt,
        [("Pow", 2)] = Op.Pow,
        [("Sin", 1)] = Op.Sin,
        [("Cos", 1)] = Op.Cos,
        [("Tan", 1)] = Op.Tan,
        [("Asin", 1)] = Op.Asin,
        [("Acos", 1)] = Op.Acos,
        [("Atan", 1)] = Op.Atan,
        [("Atan2", 2)] = Op.Atan2,
        [("Sinh", 1)] = Op.Sinh,
        [("Cosh", 1)] = Op.Cosh,
        [("Tanh", 1)] = Op.Tanh,
        [("Asinh", 1)] = Op.Asinh,
        [("Acosh", 1)] = Op.Acosh,
        [("Atanh", 1)] = Op.Atanh,
        [("Abs", 1)] = Op.Abs,
        [("Max", 2)] = Op.Max,
        [("Min", 2)] = Op.Min,
        [("Clamp", 3)] = Op.Clamp,
        [("FusedMultiplyAdd", 3)] = Op.FusedMultiplyAdd,
        [("Hypot", 2)] = Op.Hypot,
        [("Floor", 1)] = Op.Floor,
        [("Ceiling", 1)] = Op.Ceiling,
        [("Round", 1)] = Op.Round,
        [("Truncate", 1)] = Op.Truncate,
    };

    /// <summary>The C# method name each op is printed with (as <c>double.Name</c> or <c>float.Name</c>).</summary>
    private static readonly Dictionary<Op, string> Names = Methods.GroupBy(m => m.Value).ToDictionary(g => g.Key, g => g.First().Key.Name);

    public static bool TryGetOp(string containingType, string name, int arity, out Op op)
    {
        op = default;
        return MathTypes.Contains(containingType) && Methods.TryGetValue((name, arity), out op);
    }

    /// <summary>The method that computes <paramref name="op"/>, e.g. <c>Exp</c>; null for operators.</summary>
    public static string? MethodName(Op op) => Names.TryGetValue(op, out var name) ? name : null;
}
