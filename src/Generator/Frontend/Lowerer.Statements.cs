using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>Statements, and how return, break and continue become flags.</summary>
internal sealed partial class Lowerer
{
    /// <summary>Past this nesting of if/else, the statements after an early exit are guarded by a flag instead of nested in the other branch.</summary>
    private const int MaxRestNesting = 24;

    private int _nesting;

    /// <summary>
    /// Lowers statements[start..]. After a statement that may have jumped (return, break, continue inside a branch)
    /// the rest is guarded by a flag; after one that always jumps, the rest is unreachable.
    /// </summary>
    private Flow LowerList(IReadOnlyList<IOperation> statements, int start)
    {
        var flow = Flow.Normal;
        for (int i = start; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            var s = statements[i];
            if (s is IConditionalOperation ifOp && i + 1 < statements.Count && _nesting < MaxRestNesting)
            {
                // if (c) { ...; return; } rest  →  if (c) { ... } else { rest }: no flag needed.
                bool thenJumps = AlwaysJumps(ifOp.WhenTrue);
                bool elseJumps = ifOp.WhenFalse is not null && AlwaysJumps(ifOp.WhenFalse);
                if (thenJumps != elseJumps)
                {
                    return Merge(flow, LowerIfWithRest(ifOp, statements, i + 1, restInElse: thenJumps));
                }
            }

            var f = LowerStatement(s);
            switch (f)
            {
                case Flow.Must:
                case Flow.Throw:
                    return Merge(flow, f);
                case Flow.May:
                    if (i + 1 < statements.Count)
                    {
                        return Merge(flow, GuardedFrom(statements, i + 1));
                    }

                    flow = Flow.May;
                    break;
            }
        }

        return flow;
    }

    /// <summary>
    /// The statements from <paramref name="start"/> on, after one that may have jumped: each run of them is guarded
    /// by the flag in one if, closed after a statement that may jump again, so the code stays flat however many
    /// exits there are.
    /// </summary>
    private Flow GuardedFrom(IReadOnlyList<IOperation> statements, int start)
    {
        int j = start;
        while (j < statements.Count)
        {
            var guard = GuardFlag();
            if (guard is null)
            {
                return Merge(Flow.May, LowerList(statements, j));
            }

            var g = _env.Get(guard) is Scalar gs ? gs.Operand : Lit.False;
            var notJumped = Emit(Opcode.Not, IrType.Bool, new[] { g });
            int end = statements.Count;
            int from = j;
            EmitIf(notJumped, () => LowerGuarded(statements, from, out end), () => Flow.Normal);
            j = end;
        }

        return Flow.May;
    }

    /// <summary>Lowers statements from <paramref name="start"/> until one that may jump (included); <paramref name="end"/> is where to go on.</summary>
    private Flow LowerGuarded(IReadOnlyList<IOperation> statements, int start, out int end)
    {
        for (int i = start; i < statements.Count; i++)
        {
            var s = statements[i];
            if (s is IConditionalOperation ifOp && i + 1 < statements.Count && _nesting < MaxRestNesting)
            {
                bool thenJumps = AlwaysJumps(ifOp.WhenTrue);
                bool elseJumps = ifOp.WhenFalse is not null && AlwaysJumps(ifOp.WhenFalse);
                if (thenJumps != elseJumps)
                {
                    end = statements.Count;
                    return LowerIfWithRest(ifOp, statements, i + 1, restInElse: thenJumps);
                }
            }

            var f = LowerStatement(s);
            if (f is Flow.Must or Flow.Throw)
            {
                end = statements.Count;
                return f;
            }

            if (f == Flow.May)
            {
                end = i + 1;
                return Flow.May;
            }
        }

        end = statements.Count;
        return Flow.Normal;
    }

    private static Flow Merge(Flow a, Flow b) => (a, b) switch
    {
        (Flow.Normal, _) => b,
        (_, Flow.Normal) => a,
        (Flow.Throw, Flow.Throw) => Flow.Throw,
        (Flow.Must or Flow.Throw, Flow.Must or Flow.Throw) => Flow.Must,
        _ => Flow.May,
    };

    /// <summary>The flow after an if/else whose branches went <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static Flow Join(Flow a, Flow b)
    {
        if (a == Flow.Throw && b == Flow.Throw)
        {
            return Flow.Throw;
        }

        if (a is Flow.Must or Flow.Throw && b is Flow.Must or Flow.Throw)
        {
            return Flow.Must;
        }

        return a == Flow.Normal && b == Flow.Normal ? Flow.Normal : (a == Flow.Throw || b == Flow.Throw) && (a == Flow.Normal || b == Flow.Normal) ? Flow.Normal : Flow.May;
    }

    /// <summary>The flag that says the rest of the current body must be skipped.</summary>
    private SyntheticKey? GuardFlag()
    {
        for (int i = _frames.Count - 1; i >= 0; i--)
        {
            var f = _frames[i];
            if (f.Kind == FrameKind.Function)
            {
                return f.Exit;
            }

            if (f.Skip is not null)
            {
                return f.Skip;
            }
        }

        return null;
    }

    private Flow LowerIfWithRest(IConditionalOperation ifOp, IReadOnlyList<IOperation> statements, int restStart, bool restInElse)
    {
        if (!Enter(ifOp))
        {
            return Flow.Normal;
        }

        try
        {
            var cond = LowerCondition(ifOp.Condition);
            var thenList = Statements(ifOp.WhenTrue);
            var elseList = ifOp.WhenFalse is null ? new List<IOperation>() : Statements(ifOp.WhenFalse);
            var rest = statements.Skip(restStart);
            if (restInElse)
            {
                elseList = elseList.Concat(rest).ToList();
            }
            else
            {
                thenList = thenList.Concat(rest).ToList();
            }

            var (a, b) = EmitIf(cond, () => LowerList(thenList, 0), () => LowerList(elseList, 0));
            return Join(a, b);
        }
        finally
        {
            Leave();
        }
    }

    private static List<IOperation> Statements(IOperation op) => op is IBlockOperation b ? b.Operations.ToList() : new List<IOperation> { op };

    /// <summary>Does control never reach the end of this statement (every path returns, throws, breaks or continues)?</summary>
    private static bool AlwaysJumps(IOperation? op)
    {
        for (int guard = 0; op is not null && guard < 10_000; guard++)
        {
            switch (op)
            {
                case IReturnOperation or IThrowOperation or IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue }:
                    return true;
                case IExpressionStatementOperation { Operation: IThrowOperation }:
                    return true;
                case IBlockOperation b:
                    op = b.Operations.LastOrDefault(o => o is not IEmptyOperation);
                    continue;
                case IConditionalOperation c when c.WhenFalse is not null:
                    if (!AlwaysJumps(c.WhenTrue))
                    {
                        return false;
                    }

                    op = c.WhenFalse;
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    private Flow LowerStatement(IOperation s)
    {
        if (!Enter(s))
        {
            return Flow.Normal;
        }

        var outer = _statement;
        _statement = s;
        try
        {
            return LowerStatementCore(s);
        }
        finally
        {
            _statement = outer;
            Leave();
        }
    }

    private Flow LowerStatementCore(IOperation s)
    {
        switch (s)
        {
            case IEmptyOperation:
                return Flow.Normal;
            case IBlockOperation block:
                return LowerList(block.Operations, 0);
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                    {
                        var init = declarator.Initializer ?? declaration.Initializer;
                        if (declarator.Symbol.IsConst)
                        {
                            continue;
                        }

                        if (init is null)
                        {
                            // Declared without a value: C# makes sure it is assigned before it is read.
                            continue;
                        }

                        if (declarator.Symbol.RefKind != RefKind.None)
                        {
                            BindRef(declarator.Symbol, init.Value);
                            continue;
                        }

                        var value = LowerValue(init.Value, declarator.Symbol.Type);
                        Define(declarator.Symbol, value);
                    }
                }

                return Flow.Normal;
            case IExpressionStatementOperation { Operation: IThrowOperation thrown }:
                return LowerThrow(thrown);
            case IThrowOperation thrown:
                return LowerThrow(thrown);
            case IExpressionStatementOperation expression:
                LowerExpressionStatement(expression.Operation);
                return Flow.Normal;
            case IReturnOperation ret:
                return LowerReturn(ret);
            case IConditionalOperation ifOp:
                return LowerIf(ifOp);
            case ILoopOperation loop:
                return LowerLoop(loop);
            case IBranchOperation branch:
                return LowerBranch(branch);
            case ISwitchOperation sw:
                return LowerSwitch(sw);
            case ILocalFunctionOperation:
                // Declared here, inlined where it is called.
                return Flow.Normal;
            case ITryOperation:
                Report(DiagnosticDescriptors.TryStatement, FirstToken(s), "try");
                return Flow.Normal;
            case ILockOperation:
                Report(DiagnosticDescriptors.LockStatement, FirstToken(s));
                return Flow.Normal;
            case ILabeledOperation labeled:
                // A label matters only to a goto, which is reported where it is.
                return labeled.Operation is null ? Flow.Normal : LowerStatement(labeled.Operation);
            case IUsingOperation or IUsingDeclarationOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(s), "'using'", "a differentiable function must be a pure computation: acquire and dispose resources in the caller");
                return Flow.Normal;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(s), "'" + SourceText(s.Syntax) + "'", StatementAdvice(s));
                return Flow.Normal;
        }
    }

    /// <summary>The rewrite for a statement the generator does not lower.</summary>
    private static string StatementAdvice(IOperation s) => s.Syntax switch
    {
        Microsoft.CodeAnalysis.CSharp.Syntax.FixedStatementSyntax => "a fixed statement pins memory for pointers, which are not supported: index the array or span directly",
        Microsoft.CodeAnalysis.CSharp.Syntax.UnsafeStatementSyntax => "unsafe code (pointers) is not supported: index arrays and spans",
        Microsoft.CodeAnalysis.CSharp.Syntax.YieldStatementSyntax => "an iterator returns a sequence, not a number: fill an array (or a results span) and return a real number",
        _ => "use declarations, assignments, if/else, switch, loops, break, continue, return and throw",
    };

    private static Location FirstToken(IOperation op) => op.Syntax.GetFirstToken().GetLocation();

    private Flow LowerIf(IConditionalOperation ifOp)
    {
        var cond = LowerCondition(ifOp.Condition);
        var (a, b) = EmitIf(cond, () => LowerList(Statements(ifOp.WhenTrue), 0), () => ifOp.WhenFalse is null ? Flow.Normal : LowerList(Statements(ifOp.WhenFalse), 0));
        return Join(a, b);
    }

    /// <summary>A condition: a bool operand.</summary>
    private Operand LowerCondition(IOperation condition)
    {
        var v = LowerExpr(condition);
        return v is Scalar { Operand: { Type.IsBool: true } o } ? o : v is Scalar { Operand: Poison } ? Lit.False : AsBool(condition, v);
    }

    private Operand AsBool(IOperation op, FValue v)
    {
        if (v is Scalar { Operand: Poison })
        {
            return Lit.False;
        }

        Unsupported(op, "a condition that is not a bool", "write a comparison");
        return Lit.False;
    }

    private Flow LowerThrow(IThrowOperation thrown)
    {
        var exception = thrown.Exception;
        if (exception is null)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(thrown), "'throw;'", "a rethrow needs a catch, which is not supported: throw a new exception");
            return Flow.Throw;
        }

        var instr = Opaque(exception, pure: false);
        if (instr is not null)
        {
            _block.Add(new Throw(instr));
        }

        _env.Dead = true;
        return Flow.Throw;
    }

    private Flow LowerReturn(IReturnOperation ret)
    {
        var f = Function;
        if (ret.ReturnedValue is { } value)
        {
            var v = LowerValue(value, f.ReturnType);
            Bind(f.Ret!, v);
        }

        // Leave every loop and switch of this function, and say that it returned.
        for (int i = _frames.Count - 1; i >= 0 && _frames[i].Kind != FrameKind.Function; i--)
        {
            var frame = _frames[i];
            if (frame.Skip is not null)
            {
                Bind(frame.Skip, new Scalar(Lit.True));
            }

            if (frame.Break is not null)
            {
                Bind(frame.Break, new Scalar(Lit.True));
            }
        }

        if (f.Exit is not null)
        {
            Bind(f.Exit, new Scalar(Lit.True));
        }

        return Flow.Must;
    }

    private Flow LowerBranch(IBranchOperation branch)
    {
        if (branch.BranchKind is not (BranchKind.Break or BranchKind.Continue))
        {
            Report(DiagnosticDescriptors.GotoStatement, FirstToken(branch), SourceText(branch.Syntax));
            return Flow.Normal;
        }

        for (int i = _frames.Count - 1; i >= 0; i--)
        {
            var frame = _frames[i];
            if (frame.Kind == FrameKind.Function)
            {
                break;
            }

            if (frame.Skip is not null)
            {
                Bind(frame.Skip, new Scalar(Lit.True));
            }

            bool target = branch.BranchKind == BranchKind.Break
                ? SymbolEqualityComparer.Default.Equals(frame.ExitLabel, branch.Target)
                : SymbolEqualityComparer.Default.Equals(frame.ContinueLabel, branch.Target);
            if (target)
            {
                if (branch.BranchKind == BranchKind.Break && frame.Break is not null)
                {
                    Bind(frame.Break, new Scalar(Lit.True));
                }

                return Flow.Must;
            }
        }

        Report(DiagnosticDescriptors.InternalError, FirstToken(branch), EntryName, "a break or continue with no enclosing loop");
        return Flow.Normal;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Assignments and definitions

    /// <summary>Binds a local to a value; a fresh temporary takes the local's name, for readable generated code.</summary>
    private void Define(ISymbol symbol, FValue value)
    {
        if (value is Scalar { Operand: Var v } && v.Role == VarRole.Temp && v.Hint == "t" && !v.Mutable)
        {
            v.Hint = symbol.Name;
            v.Role = VarRole.Local;
        }

        Bind(symbol, value);
    }

    private void LowerExpressionStatement(IOperation op)
    {
        switch (op)
        {
            case IInvocationOperation call:
                LowerInvocation(call, discard: true);
                return;
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation or IDeconstructionAssignmentOperation or ICoalesceAssignmentOperation:
                LowerExpr(op);
                return;
            case IObjectCreationOperation creation:
                LowerExpr(creation);
                return;
            case IDiscardOperation:
                return;
            case IConditionalAccessOperation access when access.WhenNotNull is ISimpleAssignmentOperation or ICompoundAssignmentOperation or IInvocationOperation or IConditionalAccessOperation
                && access.Operation.Type is { IsReferenceType: true }:
                // h?[0] = v (C# 14), h?.M(): runs only when h is not null; h is evaluated once.
                var receiver = LowerExpr(access.Operation);
                if (receiver is Scalar { Operand: Poison })
                {
                    return;
                }

                if (receiver is not Scalar { Operand: { Type.Kind: ValueKind.Data or ValueKind.Array } o })
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(op), "'" + SourceText(op.Syntax) + "' (a null-conditional assignment or call on this value)",
                        "test for null with an if: if (" + SourceText(access.Operation.Syntax) + " is not null) { ... }");
                    return;
                }

                var notNull = NotNull(o);
                if (ReferenceEquals(notNull, Lit.False))
                {
                    // Known to be null (double[]? b = null; b?[0] = x): C# skips the whole statement.
                    return;
                }

                EmitIf(notNull, () =>
                {
                    _conditionalInstances.Push(receiver);
                    try
                    {
                        LowerExpressionStatement(access.WhenNotNull);
                    }
                    finally
                    {
                        _conditionalInstances.Pop();
                    }

                    return Flow.Normal;
                }, () => Flow.Normal);
                return;
            case IConditionalAccessOperation access:
                // h?[0] = v, h?.M() on a value that is not a reference.
                Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(op), "'" + SourceText(op.Syntax) + "' (a null-conditional " + (access.WhenNotNull is ISimpleAssignmentOperation or ICompoundAssignmentOperation ? "assignment" : "call") + ")",
                    "test for null with an if: if (" + SourceText(access.Operation.Syntax) + " is not null) { ... }");
                return;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(op), "'" + SourceText(op.Syntax) + "'", "an expression statement must assign, call or throw");
                return;
        }
    }

    /// <summary>ref double r = ref x; ref double e = ref a[i];: the local becomes another name for that place.</summary>
    private void BindRef(ILocalSymbol local, IOperation target)
    {
        var r = RefTo(target);
        if (r is not null)
        {
            Bind(local, r);
        }
    }

    /// <summary>The place an expression denotes, for refs: a variable, an array element, or a field of one of those.</summary>
    private RefValue? RefTo(IOperation target)
    {
        switch (target)
        {
            case ILocalReferenceOperation l:
                return _env.Get(l.Local) is RefValue inner ? inner : RefValue.ToVariable(l.Local);
            case IParameterReferenceOperation p when _env.Get(p.Parameter) is null && p.Parameter.ContainingSymbol is IMethodSymbol primary && IsPrimaryConstructor(primary):
                return PrimaryParameterPlace(p.Parameter, target);
            case IParameterReferenceOperation p:
                return _env.Get(p.Parameter) is RefValue innerP ? innerP : RefValue.ToVariable(p.Parameter);
            case IArrayElementReferenceOperation e when ComponentElement(e) is { } element:
                return element;
            case IArrayElementReferenceOperation e:
                var array = LowerExpr(e.ArrayReference);
                var index = e.Indices.Select(LowerIndex).ToArray();
                return array is Scalar { Operand: { Type.IsArray: true } a } ? RefValue.ToElement(a, index) : null;
            case IFieldReferenceOperation f when f.Instance is not null && IsStructType(f.Instance.Type):
                var parent = RefTo(f.Instance);
                if (parent is null)
                {
                    return null;
                }

                var current = ReadRef(parent, f.Instance) as StructValue;
                int field = current?.IndexOf(f.Field) ?? -1;
                return field < 0 ? null : RefValue.ToField(parent, field);
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } spanOwner, Arguments.Length: 1 } element
                when element.Property.ContainingType is { } owner && TypeMap.IsSpan(owner):
                // ref double r = ref s[i] of a span: an element, as of an array.
                var span = LowerExpr(spanOwner);
                var at = LowerIndex(element.Arguments[0].Value);
                return span is Scalar { Operand: { Type.IsArray: true } sp } ? RefValue.ToElement(sp, new[] { at }) : null;
            case IInvocationOperation or IPropertyReferenceOperation when target.Type is not null && TypeMap.VectorElement(target.Type) is null:
                NotYet(target, "A ref to the result of a call or a property", "copy the value into a local");
                return null;
            case IConditionalOperation:
                NotYet(target, "A conditional ref (c ? ref a : ref b)", "use an if/else that assigns each place");
                return null;
            default:
                if (target.Syntax is not null)
                {
                    Unsupported(target, "a ref to this", "take refs to locals, parameters, array elements and their fields");
                }

                return null;
        }
    }

    /// <summary>The component arrays (and the index) a ref to an element of a local array of tuples or structs, or to a member of one, denotes.</summary>
    private static (FValue Components, Operand Index)? SubComponents(RefValue r)
    {
        if (r.Components is not null)
        {
            return (r.Components, r.ComponentIndex!);
        }

        if (r.Parent is not null && SubComponents(r.Parent) is var (components, index))
        {
            return components switch
            {
                StructValue sv when r.Field >= 0 && r.Field < sv.Values.Length => (sv.Values[r.Field], index),
                TupleValue tv when r.Field >= 0 && r.Field < tv.Items.Length => (tv.Items[r.Field], index),
                _ => null,
            };
        }

        return null;
    }

    private FValue LoadComponents(FValue components, Operand index, string? source) => components switch
    {
        TupleValue shape => new TupleValue(shape.Items.Select(item => LoadComponents(item, index, source)).ToArray()),
        StructValue shape => new StructValue(shape.Type, shape.Fields, shape.Values.Select(item => LoadComponents(item, index, source)).ToArray()),
        Scalar { Operand: { Type.IsArray: true } array } => new Scalar(Emit(Opcode.Load, array.Type.Element!, new[] { array, index }, source: source)),
        _ => components,
    };

    /// <summary>
    /// ps[i] of a local array of tuples or structs (a local or a helper's parameter holding one): a ref to the element,
    /// which reads and writes its component arrays; null for any other element.
    /// </summary>
    private RefValue? ComponentElement(IArrayElementReferenceOperation e)
    {
        if (e.ArrayReference is not (ILocalReferenceOperation or IParameterReferenceOperation) || e.Indices.Length != 1
            || e.ArrayReference.Type is not IArrayTypeSymbol { Rank: 1 } arrayType
            || !(TypeMap.IsTuple(Concrete(arrayType.ElementType)) || IsStructType(arrayType.ElementType))
            || LowerExpr(e.ArrayReference) is not TupleArrayValue tuples)
        {
            return null;
        }

        if (e.Indices[0].Type is { Name: "Range" })
        {
            Unsupported(e, "a range of an array of tuples or structs", "index it with an int or ^k");
            return null;
        }

        var at = e.Indices[0].Type is { Name: "Index" } ? IndexFromEnd(e.Indices[0], FirstComponent(tuples.Components)) : LowerIndex(e.Indices[0]);
        return RefValue.ToComponents(tuples.Components, at);
    }

    private FValue ReadRef(RefValue r, IOperation? at)
    {
        if (r.Key is not null)
        {
            return _env.Get(r.Key) ?? new Scalar(Poison.Of(IrType.Double));
        }

        if (r.Array is not null)
        {
            return new Scalar(Emit(Opcode.Load, r.Array.Type.Element!, Prepend(r.Array, r.Index!), source: at is null ? null : SourceText(at.Syntax)));
        }

        if (SubComponents(r) is var (components, index))
        {
            // An element of a local array of tuples or structs, or a member of one: a read of each array under it.
            return LoadComponents(components, index, at is null ? null : SourceText(at.Syntax));
        }

        var parent = ReadRef(r.Parent!, at);
        return parent switch
        {
            StructValue sv when r.Field < sv.Values.Length => sv.Values[r.Field],
            TupleValue tv when r.Field < tv.Items.Length => tv.Items[r.Field],
            _ => new Scalar(Poison.Of(IrType.Double)),
        };
    }

    private void WriteRef(RefValue r, FValue value, IOperation at)
    {
        if (r.Key is not null)
        {
            if (_env.Get(r.Key) is RefValue inner)
            {
                WriteRef(inner, value, at);
                return;
            }

            Bind(r.Key, value);
            return;
        }

        if (r.Array is not null)
        {
            StoreElement(r.Array, r.Index!, value, at);
            return;
        }

        if (SubComponents(r) is var (components, index))
        {
            // ps[i] = p stores each member into its array; ps[i].X = v stores into the array of X alone.
            if (!StoreTuple(components, index, value, at))
            {
                NotYet(at, "Storing this value into an element of an array of tuples or structs", "store a value of the element's type (new S(...), or a tuple of numbers)");
            }

            return;
        }

        var parent = ReadRef(r.Parent!, at);
        if (parent is StructValue sv && r.Field < sv.Values.Length)
        {
            WriteRef(r.Parent!, sv.With(r.Field, value), at);
            return;
        }

        if (parent is TupleValue tv && r.Field < tv.Items.Length)
        {
            var items = (FValue[])tv.Items.Clone();
            items[r.Field] = value;
            WriteRef(r.Parent!, new TupleValue(items), at);
            return;
        }

        // Never silently drop a write.
        if (at is not null)
        {
            NotYet(at, "Writing to this element of a value", "assign a new value to the whole variable");
        }
    }

    private static Operand[] Prepend(Operand first, Operand[] rest)
    {
        var all = new Operand[rest.Length + 1];
        all[0] = first;
        Array.Copy(rest, 0, all, 1, rest.Length);
        return all;
    }

    /// <summary>Writes an element of an array the method owns (a local array, or the results span).</summary>
    private void StoreElement(Operand array, Operand[] index, FValue value, IOperation at)
    {
        if (array is Poison || value is Scalar { Operand: Poison })
        {
            return;
        }

        if (value is not Scalar { Operand: var v })
        {
            Unsupported(at, "storing a struct or tuple into an array", "store its fields into arrays of numbers");
            return;
        }

        var element = array.Type.Element!;
        if (element.IsReal)
        {
            v = ToReal(v, element, SourceText(at.Syntax));
        }

        var store = new Store(array, index, v, accumulate: false);
        _block.Add(store);
        Writes.Add((store, at.Syntax.GetLocation(), SourceText(at.Syntax)));
    }
}
