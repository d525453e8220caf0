/** The longer Chinese texts of the H5 app, in one place. Enum labels come from @ys/shared. */
import type { TicketStatus } from '@ys/shared';

export const APP_NAME = '优商一码通';

export const PROMISE = {
  title: '“包你放心”优商码',
  lead: '扫一扫优商码，企业的法治诉求直达政法机关，诉求速办、接办跟到底。',
  points: [
    { title: '最多跑一地', text: '在手机上提交诉求，不用来回跑；不属于本站的诉求由平台转给对口单位。' },
    { title: '诉求速办', text: '每类诉求都有签收和办结时限，超时自动预警、督办。' },
    { title: '全程可查', text: '签收、转办、办结的每一步都能在“我的诉求”里看到。' },
    { title: '您说了算', text: '办结后由您评价，不满意的可以重新办理。' },
  ],
};

export const NEXT_STEPS = [
  { title: '提交诉求', text: '填写企业信息和诉求内容，可附照片或文件，提交后获得诉求编号。' },
  { title: '站点签收', text: '对口站点在签收时限内签收；不属于本站的，转给对口站点或由综治中心分派。' },
  { title: '办理答复', text: '工作人员联系您了解情况，需要时会请您补充材料，在办结时限内给出办理结果。' },
  { title: '评价归档', text: '您对办理结果进行评价；7 天内未评价的自动归档。' },
];

export const PRIVACY_SUMMARY =
  '您提交的企业名称、统一社会信用代码、联系人、手机号和诉求材料，仅用于办理本诉求，由政法委及承办站点查看，不向其他单位或个人提供。';

export const PRIVACY_FULL = [
  '一、收集的信息：登录用的手机号；您填写的企业名称、统一社会信用代码、联系人、诉求标题和内容；您上传的照片和文件。',
  '二、使用目的：受理、分流、办理、回访您的诉求，统计各站点的响应、办结和满意情况。',
  '三、查看范围：市、区两级政法委（综治中心）和承办、转办您诉求的站点工作人员。统计数据不含企业和个人信息。',
  '四、保存期限：诉求办结归档后按档案管理规定保存。',
  '五、您的权利：您可以在办理前撤回诉求，可以查看本人诉求的办理进程，可以就个人信息处理向政法委提出意见。',
  '勾选同意即表示您已阅读并同意上述说明。',
];

/** Where a ticket stands, in plain words for the business (no colours, no internal jargon). */
export const STATUS_PLAIN: Record<TicketStatus, string> = {
  pending_dispatch: '已提交，等待综治中心分派',
  pending_claim: '等待站点签收',
  in_progress: '站点正在办理',
  resolved: '已办结，请您评价',
  closed: '已归档',
  withdrawn: '您已撤回',
  invalid: '已作废',
};

export const CLOSED_REASONS: Record<string, string> = {
  rated: '评价后归档',
  unrated_timeout: '办结 7 天未评价，自动归档',
  dissatisfied_twice: '两次评价不满意，已归档并转入督办',
  visited: '回访后归档',
};

export const SMS_RULES = '验证码 5 分钟内有效；同一手机号每分钟可获取 1 次，每天最多 10 次。';
