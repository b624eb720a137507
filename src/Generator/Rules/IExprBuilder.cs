using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Rules;

/// <summary>What a derivative rule may build: every call folds constants, applies identities and reuses common subexpressions.</summary>
internal interface IExprBuilder
{
    Expr Const(double value, IrType type);

    Expr Op(Op op, IrType type, params Expr[] args);

    /// <summary>A comparison (bool, printed inline): token is one of &gt; &gt;= &lt; &lt;= == !=.</summary>
    Expr Compare(string token, Expr left, Expr right);

    /// <summary>a &amp;&amp; b.</summary>
    Expr And(Expr left, Expr right);
}
