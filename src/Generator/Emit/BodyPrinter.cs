using System.Globalization;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Prints a body of IR as C#: names every variable from its hint and counters, declares each one in the innermost block
/// that encloses all its uses, writes single-use temporaries inline (up to a depth, so that printing never recurses in
/// proportion to the input), and writes loops as for or while loops with their carried values.
/// </summary>
internal sealed class BodyPrinter
{
    private const int MaxInlineDepth = 24;

    private readonly CodeWriter _w;
    private readonly Names _names;
    private readonly Dictionary<Block, (Block? Parent, int Index, int Depth)> _blocks = new();
    private readonly Dictionary<Var, List<(Block Block, int Index)>> _touches = new();
    private readonly Dictionary<Var, int> _uses = new();
    private readonly Dictionary<Var, Block> _useBlock = new();
    private readonly Dictionary<Var, Block> _defBlock = new();
    private readonly HashSet<Var> _declared = new();
    private readonly Dictionary<(Block, int), List<Var>> _declareBefore = new();
    private readonly Dictionary<Var, (string Text, int Precedence, bool ReadsMutable, bool ReadsMemory, int Depth)> _pending = new();
    private readonly Dictionary<Var, HashSet<Var>> _pendingMutables = new();
    private readonly List<string> _pendingComments = new();
    private readonly HashSet<Var> _inlinable = new();
    private readonly HashSet<Var> _forLoopIndex = new();

    public BodyPrinter(CodeWriter w, Names names)
    {
        _w = w;
        _names = names;
    }

    /// <summary>Variables declared outside the body (parameters, outputs, resources): never declared here.</summary>
    public void Predeclare(Var v) => _declared.Add(v);

    public string NameOf(Var v)
    {
        if (v.Name is null)
        {
            v.Name = v.Role switch
            {
                VarRole.Temp when v.Hint is "t" or "c" => _names.Numbered(v.Hint),
                VarRole.Temp => _names.Allocate(v.Hint),
                VarRole.Adjoint => _names.Allocate((v.Of?.Role == VarRole.Parameter && v.Of.Name is not null ? v.Of.Name : v.Hint) + "Bar"),
                VarRole.Tangent => _names.Allocate((v.Of?.Role == VarRole.Parameter && v.Of.Name is not null ? v.Of.Name : v.Hint) + "Dot"),
                _ => _names.Allocate(v.Hint),
            };
        }

        return v.Name;
    }

    /// <summary>
    /// More locals than this in one generated method is refused (SG0019): C# allows 65,534 in a method, counting the
    /// compiler's own, and a method of a few thousand statements with Hessian = true went past it (CS0204 in the generated
    /// file; red-team K).
    /// </summary>
    public const int MaxLocals = 50_000;

    public void Print(Block root)
    {
        Analyze(root);
        PrintBlock(root);
        if (_declared.Count > MaxLocals)
        {
            throw new TooManyLocalsException(_declared.Count);
        }

    }

    // ---------------------------------------------------------------------------------------------------------
    // Analysis: blocks, uses, where to declare, what to inline

    private void Analyze(Block root)
    {
        _blocks[root] = (null, 0, 0);
        var stack = new Stack<Block>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var block = stack.Pop();
            int depth = _blocks[block].Depth;
            for (int i = 0; i < block.Stmts.Count; i++)
            {
                var s = block.Stmts[i];
                if (s is Loop loop)
                {
                    // A loop reads its initial values here, its condition in its header and its next values at the end of its body.
                    foreach (var lv in loop.Vars)
                    {
                        NoteRead(lv.Init, block, i);
                    }

                    if (loop.Counted is { } counted)
                    {
                        NoteRead(counted.Bound, block, i);
                    }

                    NoteRead(loop.Cond, loop.Header, loop.Header.Stmts.Count);
                    foreach (var lv in loop.Vars)
                    {
                        NoteRead(lv.Next, loop.Body, loop.Body.Stmts.Count);
                    }
                }
                else if (s is If branch)
                {
                    NoteRead(branch.Cond, block, i);
                    foreach (var p in branch.Phis)
                    {
                        NoteRead(p.Then, branch.Then, branch.Then.Stmts.Count);
                        NoteRead(p.Else, branch.Else, branch.Else.Stmts.Count);
                    }
                }
                else
                {
                    foreach (var o in IrWalk.Reads(s))
                    {
                        NoteRead(o, block, i);
                    }
                }

                foreach (var v in IrWalk.Writes(s))
                {
                    Touch(v, block, i);
                    _defBlock[v] = block;
                }

                foreach (var child in IrWalk.Children(s))
                {
                    _blocks[child] = (block, i, depth + 1);
                    stack.Push(child);
                }
            }
        }

        foreach (var kv in _touches)
        {
            var v = kv.Key;
            if (_declared.Contains(v))
            {
                continue;
            }

            // The innermost block that encloses every touch, and the first statement there that contains one.
            Block lca = kv.Value[0].Block;
            foreach (var (b, _) in kv.Value)
            {
                lca = Lca(lca, b);
            }

            int first = int.MaxValue;
            foreach (var (b, i) in kv.Value)
            {
                int at = IndexIn(lca, b, i);
                first = Math.Min(first, at);
            }

            if (!_declareBefore.TryGetValue((lca, first), out var list))
            {
                list = new List<Var>();
                _declareBefore[(lca, first)] = list;
            }

            list.Add(v);
        }

        // Inline a temporary used once, in the block that defines it, when its instruction can move.
        foreach (var (s, block) in IrWalk.All(root))
        {
            if (s is Assign a && a.Dst.Role == VarRole.Temp && !a.Dst.Mutable && a.Value.Data is not CallInfo
                && _uses.TryGetValue(a.Dst, out int n) && n == 1 && _useBlock.TryGetValue(a.Dst, out var ub) && ub == block
                && (a.Value.IsPure || a.Value.IsEffectFree) && a.Value.Op is not (Opcode.Pop or Opcode.Alloc))
            {
                _inlinable.Add(a.Dst);
            }
        }
    }

    private void NoteRead(Operand o, Block block, int index)
    {
        if (o is Var v)
        {
            Touch(v, block, index);
            _uses[v] = (_uses.TryGetValue(v, out int n) ? n : 0) + 1;
            _useBlock[v] = _useBlock.ContainsKey(v) && _useBlock[v] != block ? null! : block;
        }
    }

    private void Touch(Var v, Block block, int index)
    {
        if (!_touches.TryGetValue(v, out var list))
        {
            list = new List<(Block, int)>();
            _touches[v] = list;
        }

        list.Add((block, index));
    }

    private Block Lca(Block a, Block b)
    {
        while (_blocks[a].Depth > _blocks[b].Depth)
        {
            a = _blocks[a].Parent!;
        }

        while (_blocks[b].Depth > _blocks[a].Depth)
        {
            b = _blocks[b].Parent!;
        }

        while (a != b)
        {
            a = _blocks[a].Parent!;
            b = _blocks[b].Parent!;
        }

        return a;
    }

    /// <summary>The index, in <paramref name="ancestor"/>, of the statement that contains position (block, index).</summary>
    private int IndexIn(Block ancestor, Block block, int index)
    {
        while (block != ancestor)
        {
            var info = _blocks[block];
            index = info.Index;
            block = info.Parent!;
        }

        return index;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Statements

    private void PrintBlock(Block block, Action? tail = null)
    {
        // Inline expressions pending in an enclosing block stay there: this block flushes only its own.
        var outer = new Dictionary<Var, (string Text, int Precedence, bool ReadsMutable, bool ReadsMemory, int Depth)>(_pending);
        _pending.Clear();
        try
        {
            if (PrintStatements(block))
            {
                tail?.Invoke();
            }

            FlushAll();
        }
        finally
        {
            foreach (var kv in outer)
            {
                _pending[kv.Key] = kv.Value;
            }
        }
    }

    /// <summary>Prints the statements; false when the block ends in a throw (nothing after it runs).</summary>
    private bool PrintStatements(Block block)
    {
        for (int i = 0; i <= block.Stmts.Count; i++)
        {
            if (_declareBefore.TryGetValue((block, i), out var vars))
            {
                foreach (var v in vars)
                {
                    DeclareAhead(v, block, i);
                }
            }

            if (i == block.Stmts.Count)
            {
                break;
            }

            var s = block.Stmts[i];
            if (_skip.Contains(s))
            {
                continue;
            }

            PrintStatement(s, block, i);
            if (s is Throw)
            {
                // Nothing after a throw runs; printing it would only be unreachable code.
                return false;
            }
        }

        return true;
    }

    /// <summary>Declares a variable ahead of the statement at (block, index), unless that statement assigns it first.</summary>
    private void DeclareAhead(Var v, Block block, int index)
    {
        if (_declared.Contains(v) || _inlinable.Contains(v))
        {
            return;
        }

        if (index < block.Stmts.Count)
        {
            var s = block.Stmts[index];
            if (s is Assign a && ReferenceEquals(a.Dst, v) && !IsReadBy(s, v))
            {
                // Declared by its own assignment.
                return;
            }

            if (s is Loop l && l.Vars.Any(lv => ReferenceEquals(lv.Var, v)) && !l.Vars.Any(lv => ReferenceEquals(lv.Init, v)))
            {
                return;
            }
        }

        _declared.Add(v);
        FlushAll();
        _w.Line(TypeName(v.Type) + " " + NameOf(v) + " = " + DefaultLiteral(v.Type) + ";");
    }

    private static bool IsReadBy(Stmt s, Var v) => IrWalk.Reads(s).Any(o => ReferenceEquals(o, v));

    private void PrintStatement(Stmt s, Block block, int index)
    {
        switch (s)
        {
            case Assign a:
                PrintAssign(a);
                break;
            case Store st:
                FlushMemory();
                WriteComment(st);
                string target = Expr(st.Array, Precedence.Primary) + "[" + string.Join(", ", st.Index.Select(x => Expr(x, Precedence.None))) + "]";
                _w.Line(target + (st.Accumulate ? " += " : " = ") + Expr(st.Value, Precedence.Assignment) + ";");
                break;
            case If f:
                PrintIf(f);
                break;
            case Loop l:
                PrintLoop(l);
                break;
            case Throw t:
                FlushAll();
                WriteComment(t);
                _w.Line("throw " + InstrText(t.Exception).Text + ";");
                break;
            case Effect e:
                FlushAll();
                WriteComment(e);
                _w.Line(InstrText(e.Call).Text + ";");
                break;
            case Push p:
                WriteComment(p);
                _w.Line(NameOf(p.Stack) + (p.Reserved ? ".PushReserved(" : ".Push(") + Expr(p.Value, Precedence.None) + ");");
                break;
            case Note n:
                FlushAll();
                _w.Line();
                _w.Comment(n.Comment!);
                break;
        }
    }

    private void EmitPendingComments()
    {
        foreach (var c in _pendingComments)
        {
            _w.Comment(c);
        }

        _pendingComments.Clear();
    }

    private void WriteComment(Stmt s)
    {
        foreach (var c in _pendingComments)
        {
            _w.Comment(c);
        }

        _pendingComments.Clear();
        if (s.Comment is not null)
        {
            _w.Comment(s.Comment);
        }
    }

    private void PrintAssign(Assign a)
    {
        var v = a.Dst;
        if (_inlinable.Contains(v))
        {
            // What the expression reads, from its operands' own pending expressions (before printing consumes them).
            bool memory = a.Value.Op is Opcode.Load or Opcode.Length or Opcode.Slice || ReadsMemory(a.Value)
                || a.Value.Args.Any(x => x is Var xv3 && _pending.TryGetValue(xv3, out var p3) && p3.ReadsMemory);
            var mutables = new HashSet<Var>(a.Value.Args.OfType<Var>().Where(x => x.Mutable));
            foreach (var x in a.Value.Args.OfType<Var>())
            {
                if (_pending.ContainsKey(x) && _pendingMutables.TryGetValue(x, out var inner))
                {
                    mutables.UnionWith(inner);
                }
            }

            int depth = 1 + a.Value.Args.Select(x => x is Var xv && _pending.TryGetValue(xv, out var pe) ? pe.Depth : 0).DefaultIfEmpty(0).Max();
            if (depth <= MaxInlineDepth)
            {
                var (text, prec) = InstrText(a.Value);
                if (a.Comment is not null)
                {
                    _pendingComments.Add(a.Comment);
                }

                _pending[v] = (text, prec, mutables.Count > 0, memory, depth);
                _pendingMutables[v] = mutables;
                return;
            }
        }

        // Writing a mutable variable: inline expressions that read it must be printed first.
        if (v.Mutable)
        {
            FlushReadersOf(v);
        }

        if (a.Value.Op is Opcode.Call or Opcode.Pop or Opcode.Alloc or Opcode.Opaque && !a.Value.IsPure)
        {
            FlushAll();
        }

        WriteComment(a);
        string name = NameOf(v);
        if (a.Value.Op == Opcode.Call)
        {
            var call = (CallInfo)a.Value.Data!;
            string decl = _declared.Contains(v) ? name : TypeName(v.Type) + " " + name;
            _declared.Add(v);
            _w.Line(decl + " = " + CallText(a.Value, call) + ";");
            return;
        }

        var (rhs, _) = InstrText(a.Value);
        if (_declared.Contains(v) || v.Role is VarRole.Output)
        {
            // x = x + e  →  x += e
            if (a.Value.Op == Opcode.Copy && a.Value.Args[0] is Var sum && _pending.ContainsKey(sum) == false)
            {
                _w.Line(name + " = " + rhs + ";");
                return;
            }

            string prefix = name + " + ";
            if (rhs.StartsWith(prefix, StringComparison.Ordinal) && v.Type.IsReal)
            {
                _w.Line(name + " += " + rhs.Substring(prefix.Length) + ";");
                return;
            }

            _w.Line(name + " = " + rhs + ";");
            return;
        }

        _declared.Add(v);
        _w.Line(TypeName(v.Type) + " " + name + " = " + rhs + ";");
    }

    private static bool s_commentless(Assign a) => a.Comment is null;

    private static bool ReadsMemory(Instr instr) => instr.Op == Opcode.Opaque && instr.Data is OpaqueInfo { Pure: false };

    private void PrintIf(If f)
    {
        FlushVolatile();
        WriteComment(f);
        string cond = Expr(f.Cond, Precedence.None);
        bool thenEmpty = f.Then.Stmts.Count == 0 && f.Phis.Count == 0;
        bool elseEmpty = f.Else.Stmts.Count == 0 && f.Phis.Count == 0;
        if (thenEmpty && !elseEmpty)
        {
            _w.Open("if (!(" + cond + "))");
            PrintBranch(f.Else, f.Phis, useThen: false);
            _w.Close();
            return;
        }

        _w.Open("if (" + cond + ")");
        PrintBranch(f.Then, f.Phis, useThen: true);
        _w.Close();
        if (!elseEmpty)
        {
            _w.Open("else");
            PrintBranch(f.Else, f.Phis, useThen: false);
            _w.Close();
        }
    }

    private void PrintBranch(Block block, List<Phi> phis, bool useThen)
    {
        PrintBlock(block, () =>
        {
            foreach (var p in phis)
            {
                var value = useThen ? p.Then : p.Else;
                if (value is Var pv && ReferenceEquals(pv, p.Dst))
                {
                    continue;
                }

                string text = Expr(value, Precedence.Assignment);
                EmitPendingComments();
                _w.Line(NameOf(p.Dst) + " = " + text + ";");
            }
        });
    }

    private void PrintLoop(Loop l)
    {
        FlushVolatile();
        WriteComment(l);

        // A counted form: for (int i = a; i < n; i += c), when the index's update is a plain step at the end of the body.
        var (index, step, stepStmt) = ForStep(l);
        foreach (var lv in l.Vars)
        {
            if (ReferenceEquals(lv.Var, index))
            {
                continue;
            }

            Initialize(lv);
        }

        string cond = l.Header.Stmts.Count == 0 || (l.Header.Stmts.Count == 1 && l.Header.Stmts[0] is Assign h && ReferenceEquals(h.Dst, l.Cond) && _inlinable.Contains(h.Dst))
            ? HeaderCondition(l)
            : string.Empty;
        bool simpleHeader = cond.Length > 0;
        if (index is not null && simpleHeader)
        {
            var lv = l.Vars.First(x => ReferenceEquals(x.Var, index));
            string init = Expr(lv.Init, Precedence.Assignment);
            string name = NameOf(index);
            if (!_declared.Contains(index) && UsedOutside(index, l))
            {
                // Read after the loop: declared before it, not in the for.
                _declared.Add(index);
                _w.Line(TypeName(index.Type) + " " + name + " = " + init + ";");
                init = name;
            }

            string decl = _declared.Contains(index) ? name + " = " + init : TypeName(index.Type) + " " + name + " = " + init;
            _declared.Add(index);
            string increment = step == 1 ? name + "++" : step == -1 ? name + "--" : name + (step > 0 ? " += " : " -= ") + Math.Abs(step).ToString(CultureInfo.InvariantCulture);
            _w.Open("for (" + decl + "; " + cond + "; " + increment + ")");
            _skip.Add(stepStmt!);
            PrintBlock(l.Body, () => PrintMoves(l, index));
            _w.Close();
            return;
        }

        if (index is not null)
        {
            Initialize(l.Vars.First(x => ReferenceEquals(x.Var, index)));
        }

        if (simpleHeader)
        {
            _w.Open("while (" + cond + ")");
        }
        else
        {
            _w.Open("while (true)");
            PrintBlock(l.Header);
            _w.Line("if (!(" + Expr(l.Cond, Precedence.None) + "))");
            _w.OpenBrace();
            _w.Line("break;");
            _w.Close();
            _w.Line();
        }

        PrintBlock(l.Body, () => PrintMoves(l, null));
        _w.Close();
    }

    private readonly HashSet<Stmt> _skip = new();

    /// <summary>Is the variable touched anywhere but inside the loop (its header, body and the loop statement itself)?</summary>
    private bool UsedOutside(Var v, Loop l)
    {
        if (!_touches.TryGetValue(v, out var touches))
        {
            return false;
        }

        foreach (var (block, index) in touches)
        {
            // Walk up from the touch: inside the loop if we meet the loop's header or body.
            var b = block;
            int i = index;
            bool inside = false;
            while (true)
            {
                if (b == l.Header || b == l.Body)
                {
                    inside = true;
                    break;
                }

                if (i < b.Stmts.Count && ReferenceEquals(b.Stmts[i], l))
                {
                    inside = true;
                    break;
                }

                var info = _blocks[b];
                if (info.Parent is null)
                {
                    break;
                }

                i = info.Index;
                b = info.Parent;
            }

            if (!inside)
            {
                return true;
            }
        }

        return false;
    }

    private string HeaderCondition(Loop l)
    {
        if (l.Header.Stmts.Count == 1)
        {
            var a = (Assign)l.Header.Stmts[0];
            _pending.Remove(a.Dst);
            return InstrText(a.Value).Text;
        }

        return Expr(l.Cond, Precedence.None);
    }

    private void Initialize(LoopVar lv)
    {
        string name = NameOf(lv.Var);
        string init = Expr(lv.Init, Precedence.Assignment);
        if (_declared.Contains(lv.Var))
        {
            if (!(lv.Init is Var iv && ReferenceEquals(iv, lv.Var)))
            {
                _w.Line(name + " = " + init + ";");
            }

            return;
        }

        _declared.Add(lv.Var);
        _w.Line(TypeName(lv.Var.Type) + " " + name + " = " + init + ";");
    }

    /// <summary>The loop's index when its update is index ± c, computed last in the body and used nowhere else.</summary>
    private (Var? Index, int Step, Stmt? StepStmt) ForStep(Loop l)
    {
        if (l.Counted is { } c)
        {
            var lv = l.Vars.FirstOrDefault(x => ReferenceEquals(x.Var, c.Index));
            if (lv?.Next is Var next && _uses.TryGetValue(next, out int n) && n == 1)
            {
                var def = l.Body.Stmts.OfType<Assign>().FirstOrDefault(a => ReferenceEquals(a.Dst, next));
                if (def is not null && def.Value.Op is Opcode.IAdd or Opcode.ISub && ReferenceEquals(def.Value.Args[0], c.Index) && !l.Vars.Any(o => !ReferenceEquals(o, lv) && ReferenceEquals(o.Next, c.Index)))
                {
                    // The index must not be read after its update within the body.
                    int at = l.Body.Stmts.IndexOf(def);
                    bool readAfter = false;
                    for (int i = at + 1; i < l.Body.Stmts.Count && !readAfter; i++)
                    {
                        readAfter = IrWalk.All(new Block(new List<Stmt> { l.Body.Stmts[i] })).Any(x => IrWalk.Reads(x.Stmt).Any(o => ReferenceEquals(o, c.Index)));
                    }

                    if (!readAfter)
                    {
                        _inlinable.Remove(next);
                        return (c.Index, c.Step, def);
                    }
                }
            }
        }

        return (null, 0, null);
    }

    private void PrintMoves(Loop l, Var? skip)
    {
        var moves = l.Vars.Where(lv => !ReferenceEquals(lv.Var, skip) && !(lv.Next is Var nv && ReferenceEquals(nv, lv.Var))).ToList();
        if (moves.Count == 0)
        {
            FlushAll();
            return;
        }

        var targets = new HashSet<Var>(moves.Select(m => m.Var));
        bool conflict = moves.Any(m => m.Next is Var nv && targets.Contains(nv) && !ReferenceEquals(nv, m.Var))
            || moves.Any(m => m.Next is Var pv && _pending.TryGetValue(pv, out var pe) && pe.ReadsMutable);
        if (!conflict)
        {
            foreach (var m in moves)
            {
                string next = Expr(m.Next, Precedence.Assignment);
                EmitPendingComments();
                _w.Line(NameOf(m.Var) + " = " + next + ";");
            }

            FlushAll();
            return;
        }

        // Parallel assignment: read every new value first.
        var temps = new List<(LoopVar, string)>();
        foreach (var m in moves)
        {
            string t = _names.Allocate(m.Var.Hint + "Next");
            _w.Line(TypeName(m.Var.Type) + " " + t + " = " + Expr(m.Next, Precedence.Assignment) + ";");
            temps.Add((m, t));
        }

        foreach (var (m, t) in temps)
        {
            _w.Line(NameOf(m.Var) + " = " + t + ";");
        }

        FlushAll();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pending inline expressions

    private void FlushAll()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var v in _pending.Keys.OrderBy(v => v.Id).ToList())
        {
            Materialize(v);
        }
    }

    private void FlushVolatile()
    {
        foreach (var kv in _pending.Where(kv => kv.Value.ReadsMutable || kv.Value.ReadsMemory).OrderBy(kv => kv.Key.Id).ToList())
        {
            Materialize(kv.Key);
        }
    }

    private void FlushMemory()
    {
        foreach (var kv in _pending.Where(kv => kv.Value.ReadsMemory).OrderBy(kv => kv.Key.Id).ToList())
        {
            Materialize(kv.Key);
        }
    }

    private void FlushReadersOf(Var mutable)
    {
        foreach (var kv in _pending.Where(kv => kv.Value.ReadsMutable && _pendingMutables.TryGetValue(kv.Key, out var m) && m.Contains(mutable)).OrderBy(kv => kv.Key.Id).ToList())
        {
            Materialize(kv.Key);
        }
    }

    private void Materialize(Var v)
    {
        if (!_pending.TryGetValue(v, out var p))
        {
            return;
        }

        _pending.Remove(v);
        _inlinable.Remove(v);
        _declared.Add(v);
        foreach (var c in _pendingComments)
        {
            _w.Comment(c);
        }

        _pendingComments.Clear();
        _w.Line(TypeName(v.Type) + " " + NameOf(v) + " = " + p.Text + ";");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Expressions

    internal enum Precedence
    {
        None = 0,
        Assignment = 1,
        Conditional = 3,
        LogicalOr = 5,
        LogicalAnd = 6,
        BitOr = 7,
        BitXor = 8,
        BitAnd = 9,
        Equality = 10,
        Relational = 11,
        Shift = 12,
        Additive = 13,
        Multiplicative = 14,
        Unary = 15,
        Primary = 16,
    }

    public string Expr(Operand o, Precedence context)
    {
        var (text, prec) = Atom(o);
        return prec < context ? "(" + text + ")" : text;
    }

    private (string Text, Precedence Prec) Atom(Operand o)
    {
        switch (o)
        {
            case Var v when _pending.TryGetValue(v, out var p):
                _pending.Remove(v);
                return (p.Text, (Precedence)p.Precedence);
            case Var v:
                if (v.Name is null && v.Role != VarRole.Parameter && !_declared.Contains(v) && !_touches.ContainsKey(v))
                {
                    throw new InvalidOperationException("internal: '" + v.Hint + "' is used but never defined");
                }

                return (NameOf(v), Precedence.Primary);
            case Const c:
                var lit = Literal(c.Value, c.Type);
                return (lit, lit.StartsWith("-", StringComparison.Ordinal) ? Precedence.Unary : Precedence.Primary);
            case Lit l:
                return (l.Text, l.Text.StartsWith("-", StringComparison.Ordinal) ? Precedence.Unary : l.Text.Contains(' ') && !l.Text.StartsWith("(", StringComparison.Ordinal) ? Precedence.None : Precedence.Primary);
            default:
                throw new InvalidOperationException("internal: an operand that cannot be printed");
        }
    }

    private static string Left(string op) => op;

    private (string Text, int Precedence) InstrText(Instr instr)
    {
        var a = instr.Args;
        var t = instr.Type;
        string Bin(string op, Precedence p) => Expr(a[0], p) + " " + op + " " + Expr(a[1], p + 1);
        string Wrap(string text) => instr.Checked ? "checked(" + text + ")" : instr.Data is false ? "unchecked(" + text + ")" : text;
        string SmallInt(string text) => t.IsInt && t.CSharp is not ("int" or "long" or "uint" or "ulong" or "nint" or "nuint") ? "(" + t.CSharp + ")(" + text + ")" : text;
        switch (instr.Op)
        {
            case Opcode.Add:
                return (Bin("+", Precedence.Additive), (int)Precedence.Additive);
            case Opcode.Sub:
                return (Bin("-", Precedence.Additive), (int)Precedence.Additive);
            case Opcode.Mul:
                return (Bin("*", Precedence.Multiplicative), (int)Precedence.Multiplicative);
            case Opcode.Div:
                return (Bin("/", Precedence.Multiplicative), (int)Precedence.Multiplicative);
            case Opcode.Rem:
                return (Bin("%", Precedence.Multiplicative), (int)Precedence.Multiplicative);
            case Opcode.Neg:
                {
                    var (inner, prec) = Atom(a[0]);
                    string operand = prec < Precedence.Unary || inner.StartsWith("-", StringComparison.Ordinal) ? "(" + inner + ")" : inner;
                    return ("-" + operand, (int)Precedence.Unary);
                }

            case Opcode.Convert:
                return (Conversion(a[0], t), (int)Precedence.Unary);
            case Opcode.Cast:
                return (Wrap(Conversion(a[0], t)), (int)Precedence.Unary);
            case Opcode.Copy:
                if (a[0].Type.IsArray && t.IsArray && !a[0].Type.Equals(t))
                {
                    return (ArrayView(a[0], t), (int)Precedence.Primary);
                }

                {
                    var (text, prec) = Atom(a[0]);
                    return (text, (int)prec);
                }

            case Opcode.Select:
                return (Expr(a[0], Precedence.Conditional + 1) + " ? " + Expr(a[1], Precedence.Conditional + 1) + " : " + Expr(a[2], Precedence.Conditional), (int)Precedence.Conditional);
            case Opcode.IAdd:
                return (SmallInt(Wrap(Bin("+", Precedence.Additive))), (int)Precedence.Primary - (instr.Checked || SmallIntType(t) ? 0 : 3));
            case Opcode.ISub:
                return (SmallInt(Wrap(Bin("-", Precedence.Additive))), (int)Precedence.Primary - (instr.Checked || SmallIntType(t) ? 0 : 3));
            case Opcode.IMul:
                return (SmallInt(Wrap(Bin("*", Precedence.Multiplicative))), (int)Precedence.Primary - (instr.Checked || SmallIntType(t) ? 0 : 2));
            case Opcode.IDiv:
                return (SmallInt(Bin("/", Precedence.Multiplicative)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.Multiplicative);
            case Opcode.IRem:
                return (SmallInt(Bin("%", Precedence.Multiplicative)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.Multiplicative);
            case Opcode.INeg:
                return (SmallInt(Wrap("-" + Expr(a[0], Precedence.Unary + 1))), (int)Precedence.Unary);
            case Opcode.BitAnd:
                return (SmallInt(Bin("&", Precedence.BitAnd)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.BitAnd);
            case Opcode.BitOr:
                return (SmallInt(Bin("|", Precedence.BitOr)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.BitOr);
            case Opcode.BitXor:
                return (SmallInt(Bin("^", Precedence.BitXor)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.BitXor);
            case Opcode.BitNot:
                return (SmallInt("~" + Expr(a[0], Precedence.Unary)), (int)Precedence.Unary);
            case Opcode.Shl:
                return (SmallInt(Bin("<<", Precedence.Shift)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.Shift);
            case Opcode.Shr:
                return (SmallInt(Bin(">>", Precedence.Shift)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.Shift);
            case Opcode.UShr:
                return (SmallInt(Bin(">>>", Precedence.Shift)), SmallIntType(t) ? (int)Precedence.Primary : (int)Precedence.Shift);
            case Opcode.Cmp:
                {
                    var (op, p) = instr.Cmp switch
                    {
                        CmpKind.Eq => ("==", Precedence.Equality),
                        CmpKind.Ne => ("!=", Precedence.Equality),
                        CmpKind.Lt => ("<", Precedence.Relational),
                        CmpKind.Le => ("<=", Precedence.Relational),
                        CmpKind.Gt => (">", Precedence.Relational),
                        _ => (">=", Precedence.Relational),
                    };
                    return (Bin(op, p), (int)p);
                }

            case Opcode.Not:
                return ("!" + Expr(a[0], Precedence.Unary), (int)Precedence.Unary);
            case Opcode.And:
                return (Bin("&&", Precedence.LogicalAnd), (int)Precedence.LogicalAnd);
            case Opcode.Or:
                return (Bin("||", Precedence.LogicalOr), (int)Precedence.LogicalOr);
            case Opcode.Xor:
                return (Bin("^", Precedence.BitXor), (int)Precedence.BitXor);
            case Opcode.Load:
                return (Expr(a[0], Precedence.Primary) + "[" + string.Join(", ", a.Skip(1).Select(x => Expr(x, Precedence.None))) + "]", (int)Precedence.Primary);
            case Opcode.Length when instr.Data is GuardedView:
                return ("global::SymbolicGrad.Internal.GuardedViews.Length(" + Expr(a[0], Precedence.None) + ")", (int)Precedence.Primary);
            case Opcode.GetLength when instr.Data is GuardedView:
                return ("global::SymbolicGrad.Internal.GuardedViews.GetLength(" + Expr(a[0], Precedence.None) + ", " + Expr(a[1], Precedence.None) + ")", (int)Precedence.Primary);
            case Opcode.Length:
                return (Expr(a[0], Precedence.Primary) + ".Length", (int)Precedence.Primary);
            case Opcode.GetLength:
                return (Expr(a[0], Precedence.Primary) + ".GetLength(" + Expr(a[1], Precedence.None) + ")", (int)Precedence.Primary);
            case Opcode.Slice:
                {
                    string source = instr.Data is GuardedView
                        ? "global::SymbolicGrad.Internal.GuardedViews.Slice(" + Expr(a[0], Precedence.None) + ", " + Expr(a[1], Precedence.None) + ", " + Expr(a[2], Precedence.None) + ")"
                        : a[0].Type.Form == ArrayForm.Array
                        ? "global::System.MemoryExtensions.AsSpan(" + Expr(a[0], Precedence.None) + ", " + Expr(a[1], Precedence.None) + ", " + Expr(a[2], Precedence.None) + ")"
                        : Expr(a[0], Precedence.Primary) + ".Slice(" + Expr(a[1], Precedence.None) + ", " + Expr(a[2], Precedence.None) + ")";
                    if (t.Form == ArrayForm.ReadOnlySpan && a[0].Type.Form != ArrayForm.ReadOnlySpan)
                    {
                        source = "(" + t.CSharp + ")" + source;
                        return (source, (int)Precedence.Unary);
                    }

                    return (source, (int)Precedence.Primary);
                }

            case Opcode.Alloc:
                {
                    var info = (AllocInfo)instr.Data!;
                    if (info.Kind == AllocKind.Scratch && info.Buffer is { } buffer)
                    {
                        return (NameOf(buffer) + ".Take(" + Expr(a[0], Precedence.None) + ")", (int)Precedence.Primary);
                    }

                    return (NewArray(t, a), (int)Precedence.Primary);
                }

            case Opcode.Opaque:
                {
                    var info = (OpaqueInfo)instr.Data!;
                    var sb = new System.Text.StringBuilder(info.Parts[0]);
                    for (int i = 0; i < a.Length; i++)
                    {
                        sb.Append(Expr(a[i], Precedence.Primary)).Append(info.Parts[i + 1]);
                    }

                    return (sb.ToString(), info.Parts.Length == 1 && info.Parts[0].StartsWith("new ", StringComparison.Ordinal) ? (int)Precedence.None : (int)Precedence.Primary - (info.Parts[0].StartsWith("(", StringComparison.Ordinal) || info.Parts[0].Length == 0 ? 0 : 0));
                }

            case Opcode.Pop:
                return (NameOf(((StackInfo)instr.Data!).Stack) + ".Pop()", (int)Precedence.Primary);
            case Opcode.Call:
                return (CallText(instr, (CallInfo)instr.Data!), (int)Precedence.Primary);
        }

        if (instr.IsRealMath && KnownMethods.MethodName(instr.Op) is { } method)
        {
            string owner = instr.Data is MathClamp ? "global::System.Math" : t.CSharp;
            return (owner + "." + method + "(" + string.Join(", ", a.Select(x => Expr(x, Precedence.None))) + ")", (int)Precedence.Primary);
        }

        throw new InvalidOperationException("internal: cannot print " + instr.Op);
    }

    private static bool SmallIntType(IrType t) => t.IsInt && t.CSharp is not ("int" or "long" or "uint" or "ulong" or "nint" or "nuint");

    private string Conversion(Operand from, IrType to)
    {
        if (to.IsGeneric || from.Type.IsGeneric)
        {
            // Generic math: T.CreateChecked, or the concrete type's CreateChecked.
            return to.CSharp + ".CreateChecked(" + Expr(from, Precedence.None) + ")";
        }

        return "(" + to.CSharp + ")" + Expr(from, Precedence.Unary);
    }

    private string ArrayView(Operand from, IrType to)
    {
        if (from.Type.Form == ArrayForm.Array && to.Form != ArrayForm.Array)
        {
            return "global::System.MemoryExtensions.AsSpan(" + Expr(from, Precedence.None) + ")" + (to.Form == ArrayForm.ReadOnlySpan ? string.Empty : string.Empty);
        }

        return "((" + to.CSharp + ")" + Expr(from, Precedence.Unary) + ")";
    }

    private string NewArray(IrType type, Operand[] lengths)
    {
        // new double[n], new double[n, m], new double[n][]: the innermost element type, then the ranks.
        string ranks = "[" + string.Join(", ", lengths.Select(l => Expr(l, Precedence.None))) + "]";
        var element = type.Element!;
        string elementText = element.CSharp;
        int bracket = element.IsArray && element.Form == ArrayForm.Array ? elementText.IndexOf('[') : -1;
        return bracket < 0 ? "new " + elementText + ranks : "new " + elementText.Substring(0, bracket) + ranks + elementText.Substring(bracket);
    }

    private string CallText(Instr instr, CallInfo call)
    {
        var args = new List<string>();
        int start = instr.Args.Length - call.Differentiable.Length;
        string receiver = call.Receiver.Length > 0 ? call.Receiver : Expr(instr.Args[0], Precedence.Primary);
        for (int i = start; i < instr.Args.Length; i++)
        {
            args.Add(Expr(instr.Args[i], Precedence.None));
        }

        foreach (var p in call.Partials)
        {
            args.Add(_declared.Contains(p) ? "out " + NameOf(p) : "out " + TypeName(p.Type) + " " + NameOf(p));
            _declared.Add(p);
        }

        return receiver + "." + call.Gradient + "(" + string.Join(", ", args) + ")";
    }

    public static string TypeName(IrType t) => t.Kind == ValueKind.Data && t.CSharp == "object" ? "object" : t.CSharp;

    public static string DefaultLiteral(IrType t) => t.Kind switch
    {
        ValueKind.Real => Literal(0, t),
        ValueKind.Bool => "false",
        ValueKind.Int => "0",
        _ => "default!",
    };

    public static string Literal(double value, IrType type)
    {
        if (type.IsGeneric)
        {
            return value switch
            {
                0 when BitConverter.DoubleToInt64Bits(value) == 0 => type.CSharp + ".Zero",
                1 => type.CSharp + ".One",
                -1 => type.CSharp + ".NegativeOne",
                _ => type.CSharp + ".CreateChecked(" + Literal(value, IrType.Double) + ")",
            };
        }

        if (type.IsSingle)
        {
            float f = (float)value;
            if (float.IsNaN(f))
            {
                return "float.NaN";
            }

            if (float.IsInfinity(f))
            {
                return f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
            }

            return f.ToString("R", CultureInfo.InvariantCulture) + "f";
        }

        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }

        string s = value.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOfAny(new[] { '.', 'E', 'e' }) < 0)
        {
            s += ".0";
        }

        if (value == 0 && BitConverter.DoubleToInt64Bits(value) < 0)
        {
            s = "-0.0";
        }

        return s;
    }
}

/// <summary>A generated method would declare more locals than C# allows in one method (see <see cref="BodyPrinter.MaxLocals"/>).</summary>
internal sealed class TooManyLocalsException(int locals) : Exception("a generated method would declare " + locals.ToString(System.Globalization.CultureInfo.InvariantCulture) + " locals")
{
    public int Locals { get; } = locals;
}
