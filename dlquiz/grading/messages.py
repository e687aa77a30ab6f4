"""Long user-facing messages of the grader, in English and Chinese, as named constants (filled with str.format)."""

from __future__ import annotations


def bi(en: str, zh: str) -> dict:
    """A bilingual message, in the {zh, en} shape that ``dlquiz.text.pick`` reads."""
    return {"en": en, "zh": zh}


# --- problems with the whole file (GradeResult.error_kind) --------------------------------------------------------

SYNTAX_EN = "Your file has a syntax error (line {line}), so Python cannot run it."
SYNTAX_ZH = "你的文件有语法错误（第 {line} 行），Python 无法运行它。"

TORCH_EN = (
    "Your file imports torch, which exercises refuse: the point is to write it yourself with numpy. "
    "Remove the import (dlquiz computes PyTorch's answer on its own side)."
)
TORCH_ZH = "你的文件导入了 torch，练习中不允许这样做：目的是自己用 numpy 写出来。请删掉这个 import（dlquiz 会自己计算 PyTorch 的结果）。"

IMPORT_EN = "Importing your file failed with {type}: {message}"
IMPORT_ZH = "导入你的文件时出错，{type}：{message}"

MEMORY_IMPORT_EN = (
    "Your file ran out of memory while being imported (MemoryError): look for a huge array at module level."
)
MEMORY_IMPORT_ZH = "导入你的文件时内存不足（MemoryError）：检查模块顶层是否创建了巨大的数组。"

MEMORY_EN = (
    "Your code ran out of memory (MemoryError; the limit is {memory} MB). The arrays in these cases are small, "
    "so look for an accidental huge allocation: a broadcast of (n, 1) against (1, n), or np.zeros with a wrong size."
)
MEMORY_ZH = "你的代码内存不足（MemoryError；上限 {memory} MB）。这些用例的数组都很小，检查是否意外分配了巨大的数组：例如 (n, 1) 与 (1, n) 广播，或 np.zeros 的尺寸写错。"

EXIT_IMPORT_EN = (
    "Your file called sys.exit()/exit() while being imported ({code}); remove it — dlquiz calls your functions itself."
)
EXIT_IMPORT_ZH = "你的文件在导入时调用了 sys.exit()/exit()（{code}）；请删掉它——dlquiz 会自己调用你的函数。"

EXIT_EN = "Your code ended the Python process (exit status {code}) before every case ran — is there an os._exit or exit() call?"
EXIT_ZH = "你的代码在所有用例运行完之前结束了 Python 进程（退出码 {code}）——是否调用了 os._exit 或 exit()？"

TIMEOUT_EN = (
    "Your code did not finish within {limit:g} s and was stopped. Look for an infinite loop "
    "(a while loop whose condition never changes), or a Python loop over every element that numpy could do at once."
)
TIMEOUT_ZH = "你的代码在 {limit:g} 秒内没有结束，已被终止。检查是否有死循环（条件永远不变的 while），或能用 numpy 一次完成却逐元素循环的代码。"

KILLED_EN = (
    "Your code was killed by the system, most likely for using too much memory "
    "(the limit is {memory} MB). Look for an accidentally huge array."
)
KILLED_ZH = "你的代码被系统终止，最可能是内存用得太多（上限 {memory} MB）。检查是否意外创建了巨大的数组。"

CRASHED_EN = "Python crashed while running your code ({signal}). This comes from native code: ctypes, a C extension, or very deep recursion."
CRASHED_ZH = "运行你的代码时 Python 崩溃了（{signal}）。这来自本地代码：ctypes、C 扩展，或极深的递归。"

SIGNALLED_EN = (
    "Your code's process was killed by {signal} while its memory and CPU time were within the limits. "
    "Does your code send signals (os.kill, os.killpg)? Exercises must leave processes alone."
)
SIGNALLED_ZH = "你的代码所在的进程被 {signal} 终止了，而它的内存和 CPU 时间都没有超限。你的代码是否发送了信号（os.kill、os.killpg）？练习代码不应干扰任何进程。"

MISSING_FILE_EN = "Your file does not define {names}; keep the function names and signatures from the template."
MISSING_FILE_ZH = "你的文件没有定义 {names}；请保留模板中的函数名和签名。"

MISSING_EN = "{name} is not defined in your file."
MISSING_ZH = "你的文件中没有定义 {name}。"

NOT_CALLABLE_EN = "{name} in your file is not a function."
NOT_CALLABLE_ZH = "你的文件中的 {name} 不是函数。"

RESULTS_TOO_BIG_EN = (
    "Your code sent back more than {limit} MB of results, so dlquiz stopped reading them. The "
    "results here are small: does something write to the results pipe, or return enormous values?"
)
RESULTS_TOO_BIG_ZH = "你的代码传回的结果超过了 {limit} MB，dlquiz 已停止读取。这里的结果都很小：是否有代码写入了结果管道，或者返回了巨大的值？"

INTERRUPTED_EN = (
    "Grading was interrupted: the process that watches your code was stopped or killed — does your code "
    "send signals to other processes (os.kill)? Exercises must leave other processes alone."
)
INTERRUPTED_ZH = "评分被中断：监视你的代码的进程被停止或杀死了——你的代码是否向其他进程发送了信号（os.kill）？练习代码不应干扰其他进程。"

INTERNAL_EN = (
    "dlquiz could not run your file (an internal problem, not your code). Please report it with the output below."
)
INTERNAL_ZH = "dlquiz 无法运行你的文件（这是 dlquiz 内部的问题，不是你的代码）。请附上下面的输出报告这个问题。"

NO_NUMPY_EN = "numpy could not be imported in the exercise process; reinstall numpy in dlquiz's environment."
NO_NUMPY_ZH = "练习进程中无法导入 numpy；请在 dlquiz 的环境中重新安装 numpy。"

# --- problems with one case ---------------------------------------------------------------------------------------

MUTATED_EN = (
    "{function} changed its input {names} in place. PyTorch's functional forms return a new array and leave "
    "their inputs alone: work on a copy (x = x.copy()) or build the result with expressions like np.maximum(x, 0)."
)
MUTATED_ZH = "{function} 原地修改了输入 {names}。PyTorch 的函数式接口返回新数组、不改动输入：请在副本上操作（x = x.copy()），或用 np.maximum(x, 0) 这类表达式构造结果。"

ALIASED_EN = (
    "{function} returned its input {names} itself (or a view of it, such as x.reshape(...), x.T or x[...]), "
    "not a new array: your result and the caller's array are the same memory, so changing one changes the "
    "other. PyTorch returns a new tensor here: return a copy (x.copy())."
)
ALIASED_ZH = (
    "{function} 返回的是输入 {names} 本身（或它的视图，例如 x.reshape(...)、x.T、x[...]），而不是新数组："
    "你的结果和调用者的数组共用同一块内存，改动一个就会改动另一个。PyTorch 在这里返回新的张量：请返回副本（x.copy()）。"
)

NUMERIC_WARNING_EN = (
    "{function} returned the right values, but numpy warned while computing them: {warnings}. Such a "
    "warning means a step went through inf or NaN (e.g. np.exp of a large number) and the result only "
    "came out right because the inf happened to vanish later; PyTorch never relies on that. Rewrite "
    "that step so nothing overflows. Note that np.where(cond, a, b) computes both a and b for every "
    "element, so a branch it throws away still overflows."
)
NUMERIC_WARNING_ZH = (
    "{function} 返回的数值是对的，但计算时 numpy 发出了警告：{warnings}。这种警告说明某一步经过了 inf 或 NaN"
    "（例如对很大的数求 np.exp），结果只是因为 inf 后来恰好消失才是对的；PyTorch 从不依赖这一点。"
    "请改写那一步，让它不会溢出。注意 np.where(cond, a, b) 会对每个元素同时计算 a 和 b，"
    "被丢弃的那个分支照样会溢出。"
)
NUMERIC_NOTE_EN = " numpy also warned: {warnings}."
NUMERIC_NOTE_ZH = "numpy 还发出了警告：{warnings}。"
WARNING_LINE_EN = "{message!r} (line {line} of your file)"
WARNING_LINE_ZH = "“{message}”（你的文件第 {line} 行）"

NOT_RUN_EN = "not run (an earlier problem stopped the grading)"
NOT_RUN_ZH = "未运行（之前的问题中断了评分）"

# --- problems the learner cannot fix in their file (DlquizError) -------------------------------------------------

NO_FILE = "no such file: {path}"
NO_FILE_ZH = "没有这个文件：{path}"
NOT_A_FILE = "{path} is not a file"
NOT_A_FILE_ZH = "{path} 不是文件"
# Said from where the learner stands: the path is read from the current folder, and `dlquiz exercise NAME` without
# --file grades the workspace file it created.
NO_FILE_HINT = (
    "Paths are read from the current folder ({cwd}); without --file, `dlquiz exercise NAME` grades the file it "
    "created for you."
)
NO_FILE_HINT_ZH = "路径相对于当前文件夹（{cwd}）；不加 --file 时，`dlquiz exercise NAME` 会评测它为你创建的文件。"
UNREADABLE = "cannot read {path}: {error}"
UNREADABLE_ZH = "无法读取 {path}：{error}"
CANNOT_START = "cannot start Python ({python}) to run your file: {error}"
NO_TORCH = "grading compares your code with PyTorch, but PyTorch is not installed"
NO_TORCH_HINT = "Install it in dlquiz's environment: pip install torch (the CPU build is enough)."
BROKEN_EXERCISE = "exercise {id} is broken: {file} failed ({error})"
BROKEN_EXERCISE_HINT = "This is a bug in dlquiz's exercise, not in your code; please report it."
