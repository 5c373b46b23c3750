"""Chinese for the input-error and warning lines (``Problem.message``) of the readers and
checkers: loading, reading, columns, plausible, contradictions, references, textdecode,
xlsxcells, pincheck, policy, outputs, the argument checks.

Same form as :mod:`optimizer.lang.messages`: one entry per English template, ``{}`` for any text,
``{0}`` … for it in the Chinese. A captured list of ``code/中文`` choices shows its Chinese only;
a column given as ``name (姓名)`` shows as 姓名; table names and rule words come from
:data:`WORDS_ZH`. The location (file, sheet, row, column, value) is Chinese in
:meth:`optimizer.data.errors.Problem.render`.
"""

from __future__ import annotations

import re

from optimizer.data.schema import TABLES

PROBLEMS: list[tuple[str, str]] = [
    # cells (parsing.py)
    ("expected a date like {} or {}", "应为日期，如 2021-05-01、2021/5/1、2021.05、2021-05、202105、2021年5月或2021年5月1日"),
    ("expected yes/no: true/false, 1/0, 是/否", "应为是/否（是、否、1、0）"),
    ("expected a whole number", "应为整数"),
    ("expected a whole number ≥ {}", "应为不小于 {0} 的整数"),
    ("expected a number ≥ {}", "应为不小于 {0} 的数"),
    ("expected a number", "应为数字"),
    ("expected one of hard, soft, off", "应为 hard（硬性）、soft（软性）或 off（关闭）"),
    ("expected one of {}", "应为以下之一：{0}"),
    ("expected a list drawn from {}", "应为从以下选取的列表：{0}"),
    ("unknown {} {}; expected ';'-separated {}", "未知的{0}：{1}；应为以分号分隔的：{2}"),
    ("required value is empty ({})", "必填值为空（{0}）"),
    ("a year alone: add the month, e.g. {} or {}", "只有年份：请补上月份，如 {0} 或 {1}"),
    ("ambiguous 5-digit number: for July {} write {} or {}; if it is an Excel date serial, format the cells as dates in Excel",
     "含义不明的 5 位数：1990 年 7 月请写作 199007 或 1990-07；若是 Excel 日期序号，请在 Excel 中把单元格设为日期格式"),
    ("an Excel error value (a formula failed): fix the formula or type the value", "Excel 错误值（公式出错）：请修正公式或直接填写数值"),
    ("a code in scientific notation: Excel turned it into a number and may have cut digits; format the column as text (文本) and enter the codes again",
     "编码成了科学计数法：Excel 把它当作数字，可能丢了位数；请把该列设为文本格式后重新输入编码"),
    # files and tables (reading.py, textdecode.py, xlsxcells.py)
    ("is a folder: expected a CSV file", "是文件夹：此处应为 CSV 文件"),
    ("no such dataset: expected a folder of CSV files or an .xlsx workbook", "数据不存在：应为 CSV 文件所在目录或 .xlsx 工作簿"),
    ("no such file: expected a CSV file of table {}", "文件不存在：应为{0}表的 CSV 文件"),
    ("is not a well-formed CSV file ({}, near line {}): {}", "不是格式正确的 CSV 文件（第 {1} 行附近）：请在 Excel 或 WPS 中打开并另存为“CSV UTF-8”"),
    ("read as {}-separated", "已按{0}分隔读取"),
    ("{} values but {} columns in the header row: a value holding the separator must be in quotes (\"...\"), or a column has no name",
     "有 {0} 个值，但表头只有 {1} 列：含分隔符的值须加引号（\"...\"），或有一列没有列名"),
    ("the {} is empty: expected a header row with {}", "{0}为空：应有表头行，含 {1}"),
    ("row {} repeats the column names: read as a second header, not data", "第 {0} 行重复了列名：视为第二个表头，不作数据"),
    ("rows 1–{} above the header skipped ({} looks like a title); header read from row {}", "已跳过表头上方的第 1–{0} 行（{1} 像是标题）；表头取第 {2} 行"),
    ("is an old .xls workbook renamed to .xlsx: {}", "是改名为 .xlsx 的旧版 .xls 工作簿：请在 Excel 或 WPS 中打开并另存为 .xlsx 工作簿（Excel 工作簿）"),
    ("is a .xls file, which zhucun does not read: {}", "是 .xls 文件，本程序不读取：请在 Excel 或 WPS 中打开并另存为 .xlsx 工作簿（Excel 工作簿）"),
    ("cannot be opened as an Excel .xlsx workbook ({})", "无法作为 Excel .xlsx 工作簿打开（{0}）"),
    ("sheet {} is a second sheet for table {}; already read sheet {}: delete or rename one", "工作表 {0} 是{1}表的第二张工作表，已读取工作表 {2}：请删除或改名其中一张"),
    ("a second file for table {}; already read {}", "{0}表的第二个文件，已读取 {1}"),
    ("missing table {} ({}): expected {}", "缺少{1}表：{2}"),
    ("a file {} or {}; the folder has: {}; to read the workbook, pass {} itself", "应有文件 {0} 或 {1}；该目录中有：{2}；要读取工作簿，请直接给出 {3}"),
    ("a file {} or {}; the folder has: {}", "应有文件 {0} 或 {1}；该目录中有：{2}"),
    ("a file {} or {}", "应有文件 {0} 或 {1}"),
    ("a sheet named {} or {}; the workbook has sheets: {}", "应有名为 {0} 或 {1} 的工作表；工作簿中有：{2}"),
    ("is one CSV file: a dataset is a folder holding units.csv, cadres.csv, villages.csv (and optional tables); pass the folder {}",
     "是单个 CSV 文件：数据应为包含 units.csv、cadres.csv、villages.csv（及可选表）的目录；请给出目录 {0}"),
    ("cannot be read as text: not UTF-8 (first bad byte on line {}) and not GBK either; {}", "无法作为文本读取：既非 UTF-8（第 {0} 行起有无效字节）也非 GBK；请在 Excel 或 WPS 中打开并另存为“CSV UTF-8”"),
    ("contains NUL bytes, so it is not a plain text CSV file: {}", "含有 NUL 字节，不是纯文本 CSV 文件：请在 Excel 或 WPS 中打开并另存为“CSV UTF-8”"),
    ("is an Excel workbook saved under a .csv name: {}", "是以 .csv 命名的 Excel 工作簿：请改名为 .xlsx，或在 Excel 或 WPS 中打开并另存为“CSV UTF-8”"),
    ("looks Big5-encoded (traditional Chinese): {}", "像是 Big5 编码（繁体中文）：请在 Excel 或 WPS 中打开并另存为“CSV UTF-8”"),
    ("cell {} holds a formula without a saved value (read as empty): open and save the file in Excel or WPS, or paste the values",
     "单元格 {0} 的公式没有保存计算结果（按空值读取）：请在 Excel 或 WPS 中打开并保存，或粘贴为数值"),
    ("{} looks like a year.month typed into Excel and turned into a number ({} → {}), so it may be October or January: format the column as text (文本) and type {} again, or write {} ({} for January)",
     "{0} 像是输入的“年.月”被 Excel 变成了数字（{1} → {2}），可能是 10 月也可能是 1 月：请把该列设为文本格式后重新输入 {3}，或写作 {4}（1 月写作 {5}）"),
    ("the number {} (a year.month typed into a cell formatted as a date) shows as {}: write the date as {} (e.g. {}), or format the column as text (文本) and type {} again",
     "数字 {0}（在日期格式单元格中输入的“年.月”）显示为 {1}：请把日期写作 {2}（如 {3}），或把该列设为文本格式后重新输入 {4}"),
    # columns (loading.py, columns.py)
    ("missing required column {}; the file has {}: rename it to {} or {}", "缺少必需的列 {0}；文件中有 {1}：请改名为 {2}"),
    ("missing required column {}", "缺少必需的列 {0}"),
    ("column given twice (also as {})", "同一列出现两次（另一处为 {0}）"),
    ("no known column names in the header row: expected {} (a header row above the data)", "表头行中没有可识别的列名：应有 {0}（数据上方的一行表头）"),
    ("{} column(s) not read by the planner (kept, ignored): {}; rename a column to the contract's name to have it read",
     "有 {0} 列未被读取（保留但不使用）：{1}；要让程序读取，请把列名改为规定的名称"),
    ("{} (did you mean {}?)", "{0}（是否应为 {1}？）"),
    ("the table has no data rows", "该表没有数据行"),
    ("duplicate id: already used on row {}", "编号重复：第 {0} 行已使用"),
    ("unknown {}: expected a {} of the {}s table", "未知的{0}：应为{2}表中已有的{1}"),
    ("codes look numeric: {} of {} unknown {} value(s) match a unit once leading zeros are restored (e.g. {} → {}): leading zeros lost? format the column as text (文本) and enter the codes again",
     "编码像是数字：{1} 个未知的{2}中有 {0} 个补回前导零后与单位相符（如 {3} → {4}）：是否丢了前导零？请把该列设为文本格式后重新输入编码"),
    # plausibility (plausible.py)
    ("{} row(s) aged under {} or over {} at {}: check birth dates (rows {})", "{0} 行在 {3} 时年龄小于 {1} 或大于 {2}：请核对出生年月（第 {4} 行）"),
    ("{} row(s) with staff above {}: check for extra digits (rows {})", "{0} 行在编在岗人数超过 {1}：请检查是否多输了位数（第 {2} 行）"),
    ("{} row(s) {} (rows {})", "{0} 行{1}（第 {2} 行）"),
    ("age {} at {}: expected a serving cadre aged {}–{}; check the year", "{1} 时年龄为 {0}：在职干部应为 {2}–{3} 岁；请核对年份"),
    ("implausibly large: expected at most {}; check for extra digits", "数值大得不合理：应不超过 {0}；请检查是否多输了位数"),
    ("implausibly large: expected years of work, at most {}", "数值大得不合理：应为工作年数，不超过 {0}"),
    ("implausible coordinate: expected planar km within ±{} (a province is a few hundred km across); check units and the decimal point",
     "坐标不合理：平面坐标（公里）应在 ±{0} 以内（一个省不过几百公里宽）；请检查单位和小数点"),
    ("lon and lat look swapped; expected lon {}–{}, lat {}–{}", "经度和纬度像是填反了；经度应为 {0}–{1}，纬度应为 {2}–{3}"),
    ("outside China: check the signs, the digits and which column is which; expected lon {}–{}, lat {}–{}",
     "位于中国境外：请核对正负号、位数以及列是否填对；经度应为 {0}–{1}，纬度应为 {2}–{3}"),
    ("not degrees (lon {}, lat {}): are these km? put them in x/y; expected lon {}–{}, lat {}–{}",
     "不是经纬度（经度 {0}，纬度 {1}）：是否是公里数？请填入 x/y；经度应为 {2}–{3}，纬度应为 {4}–{5}"),
    ("x/y look like longitude/latitude degrees (every row between {} and {}); x/y are planar km: put degrees in the lon/lat (经度/纬度) columns",
     "x/y 像是经纬度（每行都在 {0} 与 {1} 之间）；x/y 是平面公里数：经纬度请填入 经度/纬度 两列"),
    ("lon/lat here, but planar x/y in {} row {}: the two have no common frame, so distances would be meaningless; give every table the same kind of coordinates",
     "此处为经纬度，但 {0} 第 {1} 行为平面 x/y：两者没有共同的坐标系，距离无从计算；请各表使用同一种坐标"),
    ("x and y must be given together", "x 与 y 须同时填写"),
    ("a village cannot be adjacent to itself", "村不能与自身相邻"),
    ("staff cannot be negative", "在编在岗人数不能为负"),
    ("cannot be negative", "不能为负"),
    ("end is before start ({})", "结束时间早于开始时间（{0}）"),
    ("start is after the plan date {}: the history holds earlier and current postings; check the year, or use a later plan date",
     "开始时间晚于选派日期 {0}：历史表只记以往和在任的派驻；请核对年份，或用更晚的选派日期"),
    ("birth date is in the future", "出生年月在未来"),
    ("party date is in the future (today is {})", "入党时间在未来（今天是 {0}）"),
    ("party date is before the age of 18 (born {})", "入党时间早于 18 岁（出生于 {0}）"),
    ("work start is in the future (after {})", "参加工作时间在未来（晚于 {0}）"),
    ("work start is before the age of {} (born {})", "参加工作时间早于 {0} 岁（出生于 {1}）"),
    ("a {}-level unit needs its region (admin code of its {})", "{0}单位须填所属地区（其所在{1}的行政区划代码）"),
    ("no category given: expected {}", "未填村类别：应为 {0}"),
    # rows against each other (contradictions.py, pincheck.py, loading.py)
    ("{} row(s) name cadres not in the cadres table (departed: retired or transferred); kept for their unit and village (H-CONTINUITY, H-PROVVILLAGE), and a posting still open is vacant",
     "{0} 行所记干部不在干部表中（已离开：退休或调走）；其单位和村仍计入（H-CONTINUITY、H-PROVVILLAGE），仍在任的岗位视为空缺"),
    ("cadre {} has two postings current at {} (rows {} and {}), {}: a cadre holds one post at a time (H-INCUMBENT); give the earlier posting its end date or delete the duplicate",
     "干部 {0} 在 {1} 有两条在任派驻（第 {2} 行和第 {3} 行），{4}：一人同一时间只任一职（H-INCUMBENT）；请给较早的派驻填上结束时间，或删除重复行"),
    ("as both {} and {} of village {}", "在村 {2} 既任{0}又任{1}"),
    ("in villages {} and {}", "分别在村 {0} 和 {1}"),
    ("village {} has two current first secretaries at {}: {} (row {}) and {} (row {}): a village has one first secretary (H-INCUMBENT); end one posting, make one a member, or recall one",
     "村 {0} 在 {1} 有两名在任第一书记：{2}（第 {3} 行）和 {4}（第 {5} 行）：一村只有一名第一书记（H-INCUMBENT）；请结束其中一条派驻、改任队员或召回一人"),
    ("cadre {} is not serving at {} (no current posting in the history table): a recall replaces a serving incumbent; check the id and the plan date, or set 可派/available to no to keep the cadre out of the plan",
     "干部 {0} 在 {1} 并未在任（历史表中没有在任派驻）：召回只针对在任人员；请核对编号和选派日期，或把“可派”设为否，使其不进入方案"),
    ("cadre {} is recalled twice (also row {}): delete one row", "干部 {0} 被召回两次（另见第 {1} 行）：请删除一行"),
    ("cadre {} is required {} (rows {} and {}): a cadre takes one post (P-PIN); keep one require pin",
     "干部 {0} 被指定{1}（第 {2} 行和第 {3} 行）：一人只任一职（P-PIN）；请只保留一条指定"),
    ("as {} and as {} of village {}", "在村 {2} 既任{0}又任{1}"),
    ("two cadres required as first secretary of village {}: {} (row {}) and {} (row {}): a village has one first secretary (P-PIN); make one a member or delete one pin",
     "村 {0} 被指定了两名第一书记：{1}（第 {2} 行）和 {3}（第 {4} 行）：一村只有一名第一书记（P-PIN）；请把其中一人改为队员或删除一条指定"),
    ("require pin contradicts the forbid pin on row {} for cadre {} in village {} (P-PIN): delete one of the two",
     "该指定与第 {0} 行的禁止（干部 {1}，村 {2}）相矛盾（P-PIN）：请删除其中一条"),
    ("require pin for cadre {}, who is in the recall table: a recalled cadre appears nowhere in the plan (P-PIN); delete the pin or the recall",
     "指定了召回表中的干部 {0}：被召回的干部不会出现在方案中（P-PIN）；请删除该指定或该召回"),
    ("require pin moves cadre {}, who serves as {} of village {} (history row {}): incumbents keep their village and role (H-INCUMBENT); add the cadre to the recall table or delete the pin",
     "该指定会调动干部 {0}，其现任村 {2} 的{1}（历史表第 {3} 行）：在任人员保留原村原职（H-INCUMBENT）；请把该干部加入召回表或删除该指定"),
    ("forbid pin for cadre {}, who serves as {} of village {} (history row {}): incumbents keep their post (H-INCUMBENT); add the cadre to the recall table or delete the pin",
     "禁止了干部 {0}，其现任村 {2} 的{1}（历史表第 {3} 行）：在任人员保留原职（H-INCUMBENT）；请把该干部加入召回表或删除该禁止"),
    ("require pin {} → {}{} is forbidden by {}: {}. A pin overrides soft rules and preferences, never a hard rule: drop the pin or correct the data",
     "指定 {0} → {1}{2} 违反 {3}：{4}。指定可以压过软性规则和偏好，但不能违反硬性规则：请删除该指定或更正数据"),
    # policy files (policy.py)
    ("no such policy: expected a preset name ({}) or a YAML file", "政策不存在：应为预设政策名（{0}）或 YAML 文件"),
    ("not valid YAML ({})", "不是有效的 YAML（{0}）"),
    ("expected a YAML mapping of policy keys", "应为政策键值的 YAML 映射"),
    ("expected a mapping of keys", "应为键值映射"),
    ("unknown key; expected one of: {}", "未知的键；应为以下之一：{0}"),
    ("extends loops back on itself: {}", "extends 循环引用了自身：{0}"),
    ("policy is missing {} (extend a preset)", "政策缺少 {0}（请 extends 一个预设政策）"),
    ("a category needs both min and max", "类别须同时给出 min 和 max"),
    ("min {} is above max {}", "min {0} 大于 max {1}"),
    # output places (plans/io.py)
    ("is a symbolic link: choose a real folder for the output", "是符号链接：请换一个真实的输出目录"),
    ("is a file, not a folder: choose a new folder for the output", "是文件而非目录：请换一个新的输出目录"),
    ("is the current folder or holds it: choose a new folder for the output", "是当前目录或包含当前目录：请换一个新的输出目录"),
    ("is the input {}: choose a new folder for the output", "就是输入 {0}：请换一个新的输出目录"),
    ("is inside the input {}: choose a folder outside it for the output", "位于输入 {0} 之内：请在其外另选输出目录"),
    ("holds the input {}: choose a new folder for the output", "包含输入 {0}：请换一个新的输出目录"),
    ("cannot be made: {} is a file", "无法创建：{0} 是文件"),
    ("holds files zhucun did not write ({}): choose a new folder for the output", "含有并非本程序写出的文件（{0}）：请换一个新的输出目录"),
    ("is a symbolic link: choose a new file name for the output", "是符号链接：请换一个新的输出文件名"),
    ("is a folder: name a file for the output", "是文件夹：请给出输出文件名"),
    ("holds data zhucun did not write: choose a new file name for the output", "含有并非本程序写出的数据：请换一个新的输出文件名"),
    # plans and the ledger (ledger*.py)
    ("refused: the plan breaks {} hard rule(s). Nothing was written; fix the plan, or record it with the violations accepted and a note saying why",
     "已拒绝：方案违反 {0} 条硬性规则，未写入任何内容；请修正方案，或接受这些违规并注明理由后记录"),
    ("refused: {} structural violation(s) (unknown ids, duplicate postings, wrong dates) would break every later plan made from the ledger; they cannot be recorded even when accepted. Nothing was written",
     "已拒绝：{0} 处结构性违规（编号未知、派驻重复、日期错误）会破坏此后据台账生成的每个方案，即使接受也不能记录；未写入任何内容"),
    ("refused: recording hard violations needs a note saying why. Nothing was written", "已拒绝：记录硬性违规须注明理由；未写入任何内容"),
    ("refused: nothing was written to the ledger {}", "已拒绝：未向台账 {0} 写入任何内容"),
    ("refused: the plan can only be checked against the data it was made from", "已拒绝：方案只能对照生成它的数据核查"),
    ("… and {} more (zhucun verify lists all)", "……另有 {0} 处（zhucun verify 会全部列出）"),
    ("the dataset the plan was made from is not there (any more, or from this folder): give where it is now", "找不到生成该方案所用的数据（已移走，或不在此目录下）：请给出它现在的位置"),
    ("names no dataset: give the dataset the plan was made from", "未记录数据：请给出生成该方案所用的数据"),
    ("{} has changed since the plan was made (its SHA-256 differs from manifest.json)", "{0} 在方案生成后已改动（其 SHA-256 与 manifest.json 所记不同）"),
    ("the solve that wrote this plan was interrupted: it may be far from the best plan; solve again, or approve it only when told explicitly to take it",
     "写出该方案的求解被中断过：方案可能远非最好；请重新求解，或仅在明确要求采用时才批准"),
    ("no batch {} in this ledger", "台账中没有第 {0} 批"),
    ("batch {} was revoked already, on {}", "第 {0} 批已于 {1} 撤销"),
    ("batch {} cannot be revoked while batch(es) {}, recorded later, changed its postings: revoke those first, newest first; nothing was changed",
     "第 {1} 批在其后记录并改动了第 {0} 批的派驻，须先撤销它们（从最新的开始）；未作任何改动"),
    ("posting {} overlaps a posting of the same cadre already recorded: {}", "派驻 {0} 与台账中同一干部已记录的派驻重叠：{1}"),
    ("date is more than two terms after the plan date {}", "日期比选派日期 {0} 晚两个任期以上"),
    ("plan date is more than {} years ahead: a typing error?", "选派日期在 {0} 年以后：是否输错了？"),
    ("no such ledger file (create one with zhucun ledger import or approve)", "台账文件不存在（可用 zhucun ledger import 或 approve 创建）"),
    ("no such ledger file", "台账文件不存在"),
    ("no such plan folder", "方案目录不存在"),
    ("is a folder: expected a ledger file", "是文件夹：应为台账文件"),
    ("unknown cadre id: not in the dataset", "干部编号未知：不在数据中"),
    ("missing (required)", "缺少（必填）"),
    ("a new posting needs its term end", "新派驻须有任期结束时间"),
    # caps (errors.py)
    ("… and {} more like this (rows {}–{}): {}", "……另有 {0} 处同类问题（第 {1}–{2} 行）：{3}"),
    ("… and {} more problem line(s): fix these first", "……另有 {0} 行问题：请先改正以上各处"),
    # arguments (cli_args.py, cli.py, plans/io.py)
    ("expected seconds > 0 (e.g. 60), got {}", "应为大于 0 的秒数（如 60），实际为 {0}"),
    ("expected a whole number ≥ 1 (e.g. 2), got {}", "应为不小于 1 的整数（如 2），实际为 {0}"),
    ("expected a whole number from 0 to {} (e.g. 0), got {}", "应为 0 到 {0} 之间的整数（如 0），实际为 {1}"),
    ("needs --note saying why", "须用 --note 说明理由"),
    ('record it anyway: --accept-violations --note "why"', '如仍要记录：--accept-violations --note "理由"'),
    # scenario files (scenario.py)
    ("expected a non-empty list of values", "应为非空的取值列表"),
    ("expected a number > {} (and at most {})", "应为大于 {0} 且不超过 {1} 的数"),
    ("expected a whole number or null", "应为整数或 null"),
    ("expected seconds > {}, or null for no limit", "应为大于 {0} 的秒数，或 null 表示不限"),
    ("expected category flags from {}", "应为以下村类别：{0}"),
    ("leaves village {} with no category", "会使村 {0} 没有任何类别"),
    ("unknown edit; expected one of: {}", "未知的修改项；应为以下之一：{0}"),
    ("unknown field; expected one of: {}", "未知的字段；应为以下之一：{0}"),
    ("unknown parameter; expected one of: {}", "未知的参数；应为以下之一：{0}"),
    ("expected a dotted key starting with one of: {}", "应为以点分隔的键，开头为以下之一：{0}"),
    ("expected a name usable as a folder name: no spaces or slashes, not starting with a dot", "应为可作目录名的名称：不含空格或斜杠，不以点开头"),
    ("scenario name {} is also used by {}: run folders need distinct names", "情景名 {0} 也被 {1} 使用：各运行目录须名称不同"),
    ("{} (merged into policy {})", "{0}（已并入政策 {1}）"),
    ("{} (sweep: {})", "{0}（参数扫描：{1}）"),
    ("{} ({}) {} at {} for {}, {}", "{0}（{1}）由 {4} 派驻 {3} 任{2}，{5}"),
    ("{}: {}", "{0}：{1}"),  # last: a value and a message (an argument's check)
]  # fmt: skip
"""Input errors and warnings. New message in a reader → one entry here."""

WORDS_ZH: dict[str, str] = {
    "units": "单位", "cadres": "干部", "villages": "村", "adjacency": "相邻村", "history": "历史派驻",
    "pins": "指定", "recall": "召回", "unit": "单位", "cadre": "干部", "village": "村",
    "categories": "村类别", "skills": "专业特长", "file": "文件", "sheet": "工作表",
    "tab": "制表符", "secretary": "第一书记", "member": "队员", "city": "市", "county": "县",
}  # fmt: skip

COLUMNS_ZH = {c.name: c.zh for t in reversed(TABLES) for c in t.columns}
"""Column name → its Chinese header (a name in several tables: the first table's)."""
_CHOICES = re.compile(r"[\w-]+/[^,/]+(?:, [\w-]+/[^,/]+)+")
_COLUMN = re.compile(r"[a-z_]+ \(([^()]+)\)")
_COLUMN_ZH = re.compile(r"([^()\sA-Za-z]+) \([a-z_]+\)")


def field_zh(text: str) -> str | None:
    """A captured piece with a Chinese form of its own: a ``code/中文`` list, a column
    ``name (姓名)`` or a list of those, a table or rule word; None when it has none."""
    if text in WORDS_ZH:
        return WORDS_ZH[text]
    if text in COLUMNS_ZH:
        return COLUMNS_ZH[text]
    if _CHOICES.fullmatch(text):
        return "、".join(part.split("/", 1)[1] for part in text.split(", "))
    if _COLUMN_ZH.fullmatch(text):
        return _COLUMN_ZH.fullmatch(text)[1]  # type: ignore[index]
    parts = text.split(", ")
    if all(_COLUMN.fullmatch(p) and p.split(" ")[0] in COLUMNS_ZH for p in parts):
        return "、".join(_COLUMN.fullmatch(p)[1] for p in parts)  # type: ignore[index]
    return None
