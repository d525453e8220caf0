/** 代录: the checks of the proxy submission form, mirroring POST /api/tickets. */
import type { ProxySource } from '@ys/shared';
import type { FormItemRule } from 'element-plus';
import { type Check, checks, rule } from '@/utils/validators.ts';

export interface ProxyForm {
  proxySource: ProxySource | '';
  stationCode: string;
  districtCode: string;
  categoryCode: string;
  enterpriseName: string;
  uscc: string;
  contactName: string;
  contactPhone: string;
  title: string;
  content: string;
  attachmentIds: string[];
}

export function emptyProxyForm(): ProxyForm {
  return {
    proxySource: '',
    stationCode: '',
    districtCode: '',
    categoryCode: '',
    enterpriseName: '',
    uscc: '',
    contactName: '',
    contactPhone: '',
    title: '',
    content: '',
    attachmentIds: [],
  };
}

const visible =
  (label: string): Check =>
  (v) =>
    typeof v === 'string' && v.length > 0 && !/\S/.test(v) ? `请填写${label}` : null;

export const PROXY_CHECKS: Partial<Record<keyof ProxyForm, Check[]>> = {
  proxySource: [checks.required('来源')],
  districtCode: [checks.required('旗县区')],
  categoryCode: [checks.required('诉求类别')],
  enterpriseName: [checks.required('企业名称'), visible('企业名称'), checks.maxLength('企业名称', 100)],
  uscc: [checks.required('统一社会信用代码'), checks.uscc()],
  contactName: [checks.required('联系人'), visible('联系人'), checks.maxLength('联系人', 50)],
  contactPhone: [checks.required('联系电话'), checks.mobile()],
  title: [checks.required('诉求标题'), visible('诉求标题'), checks.maxLength('诉求标题', 60)],
  content: [checks.required('诉求内容'), visible('诉求内容'), checks.maxLength('诉求内容', 2000)],
};

export const proxyRules: Partial<Record<keyof ProxyForm, FormItemRule[]>> = Object.fromEntries(
  Object.entries(PROXY_CHECKS).map(([k, list]) => [k, [rule(...(list as Check[]))]]),
);
