using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Rules;

/// <summary>
/// Which BCL math methods the generator differentiates: the statics of System.Math, System.MathF, double and
/// float (and the generic-math interface members T.Exp...) that map to an <see cref="Opcode"/>. A table, kept
/// apart from the lowering that consults it; the derivative of each opcode is in <see cref="DerivativeRules"/>.
/// </summary>
internal static class KnownMethods
{
    /// <summary>The types whose static math methods are recognized.</summary>
    public static readonly IReadOnlyCollection<string> MathTypes = new[] { "System.Math", "System.MathF", "System.Double", "System.Single" };

    /// <summary>(name, arity) → opcode; an integer argument (RootN's n, ScaleB's n, Round's digits) is the last one.</summary>
    private static readonly Dictionary<(string Name, int Arity), Opcode> Methods = new()
    {
        [("Exp", 1)] = Opcode.Exp,
        [("Exp2", 1)] = Opcode.Exp2,
        [("Exp10", 1)] = Opcode.Exp10,
        [("ExpM1", 1)] = Opcode.ExpM1,
        [("Log", 1)] = Opcode.Log,
        [("Log", 2)] = Opcode.LogBase,
        [("Log10", 1)] = Opcode.Log10,
        [("Log2", 1)] = Opcode.Log2,
        [("LogP1", 1)] = Opcode.LogP1,
        [("Sqrt", 1)] = Opcode.Sqrt,
        [("Cbrt", 1)] = Opcode.Cbrt,
        [("RootN", 2)] = Opcode.RootN,
        [("Pow", 2)] = Opcode.Pow,
        [("Sin", 1)] = Opcode.Sin,
        [("Cos", 1)] = Opcode.Cos,
        [("Tan", 1)] = Opcode.Tan,
        [("Asin", 1)] = Opcode.Asin,
        [("Acos", 1)] = Opcode.Acos,
        [("Atan", 1)] = Opcode.Atan,
        [("Atan2", 2)] = Opcode.Atan2,
        [("Sinh", 1)] = Opcode.Sinh,
        [("Cosh", 1)] = Opcode.Cosh,
        [("Tanh", 1)] = Opcode.Tanh,
        [("Asinh", 1)] = Opcode.Asinh,
        [("Acosh", 1)] = Opcode.Acosh,
        [("Atanh", 1)] = Opcode.Atanh,
        [("SinPi", 1)] = Opcode.SinPi,
        [("CosPi", 1)] = Opcode.CosPi,
        [("TanPi", 1)] = Opcode.TanPi,
        [("AsinPi", 1)] = Opcode.AsinPi,
        [("AcosPi", 1)] = Opcode.AcosPi,
        [("AtanPi", 1)] = Opcode.AtanPi,
        [("Atan2Pi", 2)] = Opcode.Atan2Pi,
        [("Exp2M1", 1)] = Opcode.Exp2M1,
        [("Exp10M1", 1)] = Opcode.Exp10M1,
        [("Log2P1", 1)] = Opcode.Log2P1,
        [("Log10P1", 1)] = Opcode.Log10P1,
        [("MaxMagnitude", 2)] = Opcode.MaxMagnitude,
        [("MinMagnitude", 2)] = Opcode.MinMagnitude,
        [("MaxNumber", 2)] = Opcode.MaxNumber,
        [("MinNumber", 2)] = Opcode.MinNumber,
        [("Abs", 1)] = Opcode.Abs,
        [("Max", 2)] = Opcode.Max,
        [("Min", 2)] = Opcode.Min,
        [("Clamp", 3)] = Opcode.Clamp,
        [("FusedMultiplyAdd", 3)] = Opcode.Fma,
        [("Hypot", 2)] = Opcode.Hypot,
        [("CopySign", 2)] = Opcode.CopySign,
        [("ScaleB", 2)] = Opcode.ScaleB,
        [("IEEERemainder", 2)] = Opcode.IeeeRemainder,
        [("Ieee754Remainder", 2)] = Opcode.IeeeRemainder,
        [("Lerp", 3)] = Opcode.Lerp,
        [("DegreesToRadians", 1)] = Opcode.DegreesToRadians,
        [("RadiansToDegrees", 1)] = Opcode.RadiansToDegrees,
        [("BitIncrement", 1)] = Opcode.BitIncrement,
        [("BitDecrement", 1)] = Opcode.BitDecrement,
        [("Floor", 1)] = Opcode.Floor,
        [("Ceiling", 1)] = Opcode.Ceiling,
        [("Round", 1)] = Opcode.Round,
        [("Round", 2)] = Opcode.RoundDigits,
        [("Truncate", 1)] = Opcode.Truncate,
    };

    /// <summary>The opcodes whose last argument is an integer, not a real.</summary>
    public static bool HasIntegerLastArgument(Opcode op) => op is Opcode.RootN or Opcode.ScaleB or Opcode.RoundDigits;

    /// <summary>The name each opcode is printed with, as <c>double.Name</c>, <c>float.Name</c> or <c>T.Name</c>.</summary>
    private static readonly Dictionary<Opcode, string> Names = Methods
        .Where(m => m.Key.Name != "IEEERemainder")
        .GroupBy(m => m.Value)
        .ToDictionary(g => g.Key, g => g.First().Key.Name);

    public static bool TryGetOpcode(string name, int arity, out Opcode op) => Methods.TryGetValue((name, arity), out op);

    /// <summary>The method that computes <paramref name="op"/>, e.g. <c>Exp</c>; null for operators.</summary>
    public static string? MethodName(Opcode op) => Names.TryGetValue(op, out var name) ? name : null;
}
