namespace SymbolicGrad.Generator.Ir;

/// <summary>Real-valued operations the generator differentiates. Their rules live in <c>Rules/DerivativeRules.cs</c>.</summary>
internal enum Op
{
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Neg,

    /// <summary>A conversion between float and double.</summary>
    Convert,

    Exp,
    Log,

    /// <summary>Math.Log(a, newBase).</summary>
    LogBase,
    Log10,
    Log2,
    Sqrt,
    Cbrt,
    Pow,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Abs,
    Max,
    Min,
    Clamp,
    FusedMultiplyAdd,
    Hypot,
    Floor,
    Ceiling,
    Round,
    Truncate,

    /// <summary>cond ? a : b, with the condition as the first argument (used by rules, never differentiated).</summary>
    Select,
}
