using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// TensorPrimitives sums (issue #11): <c>Dot(x, y)</c>, <c>Sum(x)</c> and <c>SumOfSquares(x)</c> of double or float spans
/// become loops marked <see cref="Loop.SumKernel"/>, differentiated like any loop; the vectorizer turns each back into
/// the same TensorPrimitives call in the gradient (so the forward value is the user's), and the reverse of the loop into
/// vector kernels. Other TensorPrimitives members are not interpreted: they run as written on data, and a value that
/// depends on the parameters reaching one is an error at the call (SG0015).
/// </summary>
internal sealed partial class Lowerer
{
    private FValue? LowerTensorPrimitives(IInvocationOperation inv)
    {
        string name = inv.TargetMethod.Name;
        int arity = name switch
        {
            "Dot" => 2,
            "Sum" or "SumOfSquares" => 1,
            _ => -1,
        };
        if (arity < 0 || inv.Arguments.Length != arity || inv.Type is not { SpecialType: SpecialType.System_Double or SpecialType.System_Single })
        {
            return null;
        }

        var type = IrType.Real(inv.Type.SpecialType == SpecialType.System_Double ? "double" : "float");
        var spans = new Operand[arity];
        for (int a = 0; a < arity; a++)
        {
            if (LowerExpr(inv.Arguments[a].Value) is not Scalar { Operand: { Type: { IsVector: true } t } span } || !t.Element!.Equals(type))
            {
                return null;
            }

            spans[a] = span;
        }

        string src = SourceText(inv.Syntax);
        var length = Emit(Opcode.Length, IrType.Int32, new[] { spans[0] });
        if (arity == 2)
        {
            // As TensorPrimitives: spans of different lengths are an error.
            var same = Emit(Opcode.Cmp, IrType.Bool, new[] { length, Emit(Opcode.Length, IrType.Int32, new[] { spans[1] }) }, CmpKind.Eq);
            ThrowUnless(same, "new global::System.ArgumentException(\"Input span arguments must all have the same length.\")");
        }

        var i = new SyntheticKey("i");
        var sum = new SyntheticKey("sum");
        Bind(i, new Scalar(Lit.Int(0)));
        Bind(sum, new Scalar(new Const(0, type)));
        _nextSumKernel = name;
        EmitLoop(
            src,
            false,
            false,
            null,
            null,
            () => Emit(Opcode.Cmp, IrType.Bool, new[] { ((Scalar)_env.Get(i)!).Operand, length }, CmpKind.Lt),
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                var x = Emit(Opcode.Load, type, new[] { spans[0], k });
                var term = name switch
                {
                    "Dot" => Emit(Opcode.Mul, type, new[] { x, Emit(Opcode.Load, type, new[] { spans[1], k }) }),
                    "SumOfSquares" => Emit(Opcode.Mul, type, new[] { x, x }),
                    _ => x,
                };
                Bind(sum, new Scalar(Emit(Opcode.Add, type, new[] { ((Scalar)_env.Get(sum)!).Operand, term }, source: src)));
                return Flow.Normal;
            },
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                Bind(i, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { k, Lit.Int(1) })));
            },
            inv);
        _nextSumKernel = null;
        var total = ((Scalar)_env.Get(sum)!).Operand;
        _env.Remove(i);
        _env.Remove(sum);
        return new Scalar(total);
    }
}
